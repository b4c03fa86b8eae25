"""Staff accounts: hashing, rehashing, the lockout, the second factor and the file itself."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from forms_api.domain.staff import totp
from forms_api.domain.staff.accounts import (
    AccountDisabled,
    Accounts,
    InvalidAccount,
    InvalidCredentials,
    InvalidSecondFactor,
    PasswordPolicyError,
    SecondFactorRequired,
    UserExists,
)
from forms_api.domain.staff.roles import HANDLER, RoleError, parse_role
from tests.conftest import ROOT

FAST = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
"""Cheap parameters: the tests hash and verify many times."""
PASSWORD = "correct horse battery"
DEPARTMENTS = {"ip-protection-center", "copyright-bureau"}
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    store = Accounts(tmp_path, hasher=FAST)
    store.add("alice", "admin", PASSWORD, known_departments=DEPARTMENTS, now=NOW)
    return store


def test_roles_parse_in_english_and_chinese() -> None:
    assert parse_role("handler") is HANDLER
    assert parse_role("办理员") is HANDLER
    assert parse_role(" Handler ") is HANDLER
    with pytest.raises(RoleError) as caught:
        parse_role("boss")
    assert "未知的角色「boss」" in str(caught.value)
    assert "auditor（审计员）" in str(caught.value)


def test_passwords_are_argon2_hashes_that_verify(accounts: Accounts) -> None:
    user = accounts.get("alice")
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in accounts.path.read_text(encoding="utf-8")
    assert accounts.authenticate("alice", PASSWORD, now=NOW).name == "alice"
    assert accounts.authenticate("ALICE ", PASSWORD, now=NOW).role.id == "admin"


def test_a_hash_with_old_parameters_is_replaced_at_login(accounts: Accounts, tmp_path: Path) -> None:
    old_hash = accounts.get("alice").password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=512, parallelism=1)
    upgraded = Accounts(tmp_path, hasher=stronger)
    user = upgraded.authenticate("alice", PASSWORD, now=NOW)
    stored = Accounts(tmp_path).get("alice").password_hash
    assert stored != old_hash and stored == user.password_hash
    assert not stronger.check_needs_rehash(stored)
    stronger.verify(stored, PASSWORD)
    # With the same parameters nothing is rewritten.
    upgraded.authenticate("alice", PASSWORD, now=NOW)
    assert Accounts(tmp_path).get("alice").password_hash == stored


def test_unknown_user_and_wrong_password_get_the_same_message(accounts: Accounts) -> None:
    with pytest.raises(InvalidCredentials) as unknown:
        accounts.authenticate("mallory", PASSWORD, now=NOW)
    with pytest.raises(InvalidCredentials) as wrong:
        accounts.authenticate("alice", "not the password", now=NOW)
    with pytest.raises(InvalidCredentials) as malformed:
        accounts.authenticate("Not A Name!", PASSWORD, now=NOW)
    assert str(unknown.value) == str(wrong.value) == str(malformed.value) == "用户名或密码错误"


def test_a_disabled_account_cannot_log_in(accounts: Accounts) -> None:
    accounts.set_disabled("alice")
    with pytest.raises(AccountDisabled, match="已停用"):
        accounts.authenticate("alice", PASSWORD, now=NOW)
    with pytest.raises(InvalidCredentials):  # the wrong password tells nothing more
        accounts.authenticate("alice", "wrong password!", now=NOW)


def _code_outside_window(key: bytes, now: dt.datetime) -> str:
    valid = {totp.totp(key, now.timestamp() + offset) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_the_second_factor(accounts: Accounts) -> None:
    secret = accounts.enable_totp("alice")
    key = totp.decode_secret(secret)
    with pytest.raises(SecondFactorRequired):
        accounts.authenticate("alice", PASSWORD, now=NOW)
    with pytest.raises(InvalidSecondFactor):
        accounts.authenticate("alice", PASSWORD, _code_outside_window(key, NOW), now=NOW)
    code = totp.totp(key, NOW.timestamp())
    assert accounts.authenticate("alice", PASSWORD, code, now=NOW).has_second_factor
    with pytest.raises(InvalidSecondFactor):  # the same code a second time
        accounts.authenticate("alice", PASSWORD, code, now=NOW + dt.timedelta(seconds=5))
    with pytest.raises(InvalidCredentials):  # a wrong password is checked first
        accounts.authenticate("alice", "wrong password!", code, now=NOW)
    next_code = totp.totp(key, NOW.timestamp() + 30)
    assert accounts.authenticate("alice", PASSWORD, next_code, now=NOW + dt.timedelta(seconds=30))


def test_password_policy(tmp_path: Path) -> None:
    store = Accounts(tmp_path, hasher=FAST)
    with pytest.raises(PasswordPolicyError) as caught:
        store.add("bob", "acceptor", "123456789", known_departments=DEPARTMENTS)
    assert str(caught.value) == "密码至少需要 10 个字符（当前 9 个）"
    store.add("bob", "acceptor", "1234567890", known_departments=DEPARTMENTS)
    with pytest.raises(PasswordPolicyError):
        store.set_password("bob", "short")


def test_handlers_need_known_departments(tmp_path: Path) -> None:
    store = Accounts(tmp_path, hasher=FAST)
    with pytest.raises(InvalidAccount, match="办理员必须绑定至少一个部门"):
        store.add("hank", "handler", PASSWORD, known_departments=DEPARTMENTS)
    with pytest.raises(InvalidAccount, match="目录中没有部门「nowhere」"):
        store.add("hank", "handler", PASSWORD, ["nowhere"], known_departments=DEPARTMENTS)
    with pytest.raises(InvalidAccount, match="只有办理员需要绑定部门"):
        store.add("sue", "supervisor", PASSWORD, ["copyright-bureau"], known_departments=DEPARTMENTS)
    assert store.users() == []
    user = store.add(
        "hank", "办理员", PASSWORD, ["copyright-bureau", "copyright-bureau"], known_departments=DEPARTMENTS
    )
    assert user.departments == ("copyright-bureau",)
    assert store.get("hank").departments == ("copyright-bureau",)


def test_names_are_checked_and_unique(accounts: Accounts) -> None:
    with pytest.raises(UserExists, match="已存在"):
        accounts.add("alice", "auditor", PASSWORD, known_departments=DEPARTMENTS)
    for bad in ("Alice", "a", "-alice", "张三", "a" * 33):
        with pytest.raises(InvalidAccount, match="用户名"):
            accounts.add(bad, "auditor", PASSWORD, known_departments=DEPARTMENTS)


def test_the_file_and_its_folder_are_private(accounts: Accounts) -> None:
    accounts.set_disabled("alice", False)
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(accounts.source.lock_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(accounts.folder.stat().st_mode) == 0o700


def test_a_reader_sees_changes_made_by_another_instance(accounts: Accounts, tmp_path: Path) -> None:
    assert [u.name for u in accounts.users()] == ["alice"]
    Accounts(tmp_path, hasher=FAST).add("bob", "auditor", PASSWORD, known_departments=DEPARTMENTS)
    assert [u.name for u in accounts.users()] == ["alice", "bob"]
    assert accounts.authenticate("bob", PASSWORD, now=NOW).role.read_only


ADDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from argon2 import PasswordHasher
    from forms_api.domain.staff.accounts import Accounts

    accounts = Accounts(Path(sys.argv[1]), hasher=PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))
    for n in range(int(sys.argv[3])):
        accounts.add(f"{sys.argv[2]}{n}", "acceptor", "long enough password", known_departments=())
    """
)


def test_concurrent_adds_from_two_processes_all_land(tmp_path: Path) -> None:
    count = 25
    processes = [
        subprocess.Popen([sys.executable, "-c", ADDER, str(tmp_path), prefix, str(count)], cwd=ROOT)
        for prefix in ("left", "right")
    ]
    assert [p.wait(timeout=60) for p in processes] == [0, 0]
    names = {u.name for u in Accounts(tmp_path).users()}
    assert names == {f"{prefix}{n}" for prefix in ("left", "right") for n in range(count)}
    assert stat.S_IMODE((tmp_path / "staff" / "users.json").stat().st_mode) == 0o600
