"""Staff login under attack: repeated wrong passwords slow that address down for that account,
growing, without locking the account; a flood from many addresses slows strangers but not the
user's usual address; failures never rewrite the accounts; the user is told at the next login;
an administrator can clear them. Against the real server too (addresses through a proxy)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from forms_api.cli.users import main as users_main
from forms_api.domain.staff.accounts import Accounts
from forms_api.domain.staff.attempts import ACCOUNT_FAILURES, MAX_WAIT, LoginAttempts
from tests.conftest import SAMPLE_CATALOG, start_service
from tests.console import PASSWORD, add_staff, soup

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
HOME, AWAY = "203.0.113.7", "198.51.100.9"


def later(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


@pytest.fixture
def attempts(tmp_path: Path) -> LoginAttempts:
    return LoginAttempts.in_folder(tmp_path)


def test_three_failures_are_free_then_each_wait_doubles_up_to_a_cap(attempts: LoginAttempts) -> None:
    """The wait after n failures from one address (all within the window), asked at once."""
    waits = []
    for _ in range(16):
        attempts.failed("wang", HOME, NOW)
        waits.append(attempts.wait("wang", HOME, NOW))
    assert waits[:2] == [None, None]  # the first three attempts were free
    assert waits[2:8] == [2, 4, 8, 16, 32, 64]  # from the fourth on, each waits twice as long
    assert waits[-1] == MAX_WAIT  # 15 minutes at most
    assert attempts.wait("wang", AWAY, NOW) is None  # only that address is slowed
    assert attempts.wait("li", HOME, NOW) is None  # and only for that account


def test_a_wait_runs_out_and_old_failures_are_forgotten(attempts: LoginAttempts) -> None:
    for n in range(4):
        attempts.failed("wang", HOME, later(n))
    assert attempts.wait("wang", HOME, later(3)) == 4
    assert attempts.wait("wang", HOME, later(6)) == 1
    assert attempts.wait("wang", HOME, later(7)) is None
    assert attempts.wait("wang", HOME, later(16 * 60)) is None  # after the window: free again


def test_a_flood_from_everywhere_slows_strangers_but_not_the_users_usual_address(
    attempts: LoginAttempts,
) -> None:
    attempts.succeeded("wang", HOME, later(-86_400))  # wang logged in from home yesterday
    for n in range(ACCOUNT_FAILURES + 5):  # an attacker tries from 25 addresses, once each
        attempts.failed("wang", f"192.0.2.{n}", later(n))
    at = later(ACCOUNT_FAILURES + 5)
    assert attempts.wait("wang", "192.0.2.200", at)  # a new address waits
    assert attempts.wait("wang", HOME, at) is None  # wang at home does not


def test_unknown_names_are_slowed_alike(attempts: LoginAttempts) -> None:
    for name in ("wang", "nobody-here"):
        for n in range(4):
            attempts.failed(name, HOME, later(n))
    assert attempts.wait("wang", HOME, later(4)) == attempts.wait("nobody-here", HOME, later(4))


def test_a_success_clears_that_address_and_says_what_happened_since_the_last(attempts: LoginAttempts) -> None:
    attempts.succeeded("wang", HOME, later(-100))
    for n in range(5):
        attempts.failed("wang", AWAY, later(n))
    attempts.failed("wang", HOME, later(10))
    since = attempts.succeeded("wang", HOME, later(20))
    assert since.failures == 6 and since.last_from == "203.0.113.*"
    assert "6 次登录失败" in since.text() and "203.0.113.*" in since.text()
    assert attempts.succeeded("wang", HOME, later(30)).failures == 0  # told once
    assert attempts.wait("wang", AWAY, later(6)) == 6  # the other address still waits


def test_failures_never_touch_the_accounts(tmp_path: Path) -> None:
    add_staff(tmp_path)
    accounts_file = tmp_path / "staff" / "users.json"
    before = (accounts_file.read_bytes(), accounts_file.stat().st_mtime_ns)
    attempts = LoginAttempts.in_folder(tmp_path)
    for n in range(10):
        attempts.failed("wang", HOME, later(n))
    assert (accounts_file.read_bytes(), accounts_file.stat().st_mtime_ns) == before
    assert (tmp_path / "staff" / "attempts.json").stat().st_mode & 0o077 == 0


def test_an_administrator_clears_an_accounts_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    add_staff(tmp_path)
    attempts = LoginAttempts.in_folder(tmp_path)
    for n in range(6):
        attempts.failed("wang", HOME, later(n))
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IPPS_CATALOG_DIR", str(SAMPLE_CATALOG))
    assert users_main(["user", "unlock", "wang"]) == 0
    assert "已清除「wang」的登录失败记录（6 次）" in capsys.readouterr().out
    assert LoginAttempts.in_folder(tmp_path).wait("wang", HOME, later(6)) is None
    assert users_main(["user", "unlock", "nobody"]) == 1


# --- the real server, addresses through a trusted proxy ------------------------------------------


class Browser:
    """One visitor at one address (X-Forwarded-For, as the proxy on 127.0.0.1 passes it)."""

    def __init__(self, base: str, address: str) -> None:
        import http.cookiejar

        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def log_in(self, name: str, password: str) -> tuple[int, str, Any]:
        page = self._open("/staff/login")[1]
        form = soup(page).select_one("form[action='/staff/login']")
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        return self._open("/staff/login", {**fields, "username": name, "password": password})

    def _open(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str, Any]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers


def test_an_attacker_cannot_keep_the_user_out_from_her_usual_address(
    built_site: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    add_staff(data)
    base, server, thread = start_service(built_site, data, rate_limit="0")
    try:
        wang = Browser(base.rstrip("/"), HOME)
        assert wang.log_in("wang", PASSWORD)[0] == 200  # her usual address
        attacker = Browser(base.rstrip("/"), AWAY)
        answers = [attacker.log_in("wang", "wrong password!") for _ in range(4)]
        assert [a[0] for a in answers[:3]] == [401] * 3
        status, page, headers = answers[3]  # slowed: the password is not even checked
        assert status == 429 and int(headers["Retry-After"]) >= 1
        assert "请" in soup(page).select_one("[data-ipps-summary]").get_text()
        flood = [Browser(base.rstrip("/"), f"192.0.2.{n}") for n in range(ACCOUNT_FAILURES)]
        for visitor in flood:
            visitor.log_in("wang", "wrong password!")
        assert Browser(base.rstrip("/"), "192.0.2.250").log_in("wang", PASSWORD)[0] == 429  # a stranger
        status, page, _ = Browser(base.rstrip("/"), HOME).log_in("wang", PASSWORD)
        assert status == 200  # wang, from home, gets in, and is told
        notice = soup(page).select_one(".ipps-staff-login-notice").get_text()
        # the attacker's 3 and the flood's until the account reached 20: strangers are slowed
        # after that, before their passwords are checked, so they are not counted
        assert f"{ACCOUNT_FAILURES} 次登录失败" in notice and "192.0.2.*" in notice
        accounts = json.loads((data / "staff" / "users.json").read_text(encoding="utf-8"))
        assert "attempts" not in accounts and Accounts(data).get("wang") is not None
    finally:
        server.should_exit = True
        thread.join(timeout=15)
