"""Staff accounts: ``<data_dir>/staff/users.json``, argon2 passwords, lockout, second factor.

Where they live. Not in the store: ``ipps serve`` holds the store's lock for as long as it
runs, and ``ipps user add`` must work beside it. The file is small (one entry per member of
staff) and is rewritten whole: every change is a read-modify-write under an ``flock`` on
``users.lock`` beside it, landing atomically through
:func:`forms_api.storage.embedded.shards.write_atomically`, so two ``ipps user add`` at once both land
and a reader never sees half a file. The folder is mode 700 and the file mode 600 (the
temporary file is created with mode 600 before anything is written into it). A reader (the
server) keeps the parsed file and reads it again when its inode, modification time or size
changes, so accounts added from the command line are seen without a restart.

With PostgreSQL (:meth:`Accounts.of`) the same document is a row of ``shared_files``, changed
under the row's lock instead of the ``flock``, so every worker and host counts the same
failures and honours the same lockouts; servers read it again at most once a second.

Passwords are argon2id hashes (``argon2-cffi``'s :class:`~argon2.PasswordHasher`); when the
hasher's parameters change, a successful login stores a new hash. The policy is a length:
at least 10 characters.

Logging in (:meth:`Accounts.authenticate`):

- an unknown name and a wrong password give the same error, after the same argon2 work (a
  dummy hash is checked for unknown names), so the answers do not tell which names exist;
- 5 failures within 15 minutes lock the name for 15 minutes. Failures are counted for any
  well-formed name, known or not (otherwise the lockout message would reveal which names
  exist), and kept in the same file, so a restart does not reset them; entries with no
  recent failure and no lock are dropped at the next write;
- a locked name is refused without looking at the password, with a message saying when to
  try again;
- only after the right password: a disabled account is told so, and an account with a
  second factor asks for its code (:mod:`.totp`); a wrong or reused code counts as a failure.

The lock check before verifying reads the cached file, not under the ``flock`` (argon2 work
under it would serialise every login), so a burst of parallel guesses can exceed 5 by the
number in flight; failures themselves are always counted under the ``flock``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import math
import os
import re
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forms_api.storage.embedded.shards import write_atomically
from generator.workdays import china_tz

from . import totp
from .roles import Role, RoleError, parse_role

if TYPE_CHECKING:
    from forms_api.settings import Settings
    from forms_api.storage.postgres.shared import SharedFile

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
"""Login names: lower-case ASCII letters, digits and ``. _ -``, 2 to 32 characters."""
FILE_VERSION = 1
ACCOUNTS_DOCUMENT = "staff/users.json"
"""The name of the accounts document in the database (PostgreSQL backend)."""
SHARED_FRESHNESS = 1.0
"""Seconds a server keeps the accounts it read from the database before reading them again."""


class AccountError(Exception):
    """Something about an account that a person must be told, in Chinese (``str(error)``)."""


class InvalidCredentials(AccountError):
    def __init__(self) -> None:
        super().__init__("用户名或密码错误")


class AccountLocked(AccountError):
    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        self.until = until
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        shown = until.astimezone(china_tz()).strftime("%Y-%m-%d %H:%M")
        super().__init__(
            f"登录失败次数过多，账号已暂时锁定，请于 {shown}（北京时间，约 {minutes} 分钟后）再试"
        )


class AccountDisabled(AccountError):
    def __init__(self) -> None:
        super().__init__("该账号已停用，请联系管理员")


class SecondFactorRequired(AccountError):
    def __init__(self) -> None:
        super().__init__("请输入验证器中显示的 6 位动态验证码")


class InvalidSecondFactor(AccountError):
    def __init__(self) -> None:
        super().__init__("动态验证码不正确或已使用过，请输入验证器中当前显示的验证码")


class InvalidAccount(AccountError):
    """Data for a new or changed account that cannot be accepted (name, role, departments)."""


class PasswordPolicyError(AccountError):
    pass


class UserExists(AccountError):
    def __init__(self, name: str) -> None:
        super().__init__(f"用户「{name}」已存在")


class UnknownUser(AccountError):
    def __init__(self, name: str) -> None:
        super().__init__(f"用户「{name}」不存在")


class AccountFileError(AccountError):
    """``users.json`` cannot be read."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    departments: tuple[str, ...]
    password_hash: str
    created_at: dt.datetime
    totp_secret: str | None = None
    disabled: bool = False
    email: str = ""
    """Where reminders and the department's daily digest reach this person (optional)."""

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_password(password: str) -> None:
    """:class:`PasswordPolicyError` when ``password`` is not acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符（当前 {len(password)} 个）")


EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
"""A work e-mail address as the mail server takes it (ASCII, a dotted domain)."""


def check_email(address: str) -> str:
    """``address`` stripped, or InvalidAccount; "" (none) is allowed."""
    address = address.strip()
    if address and not EMAIL_PATTERN.fullmatch(address):
        raise InvalidAccount(f"电子邮箱「{address}」格式不正确，应为 wang@ipps.example.cn 这样的地址")
    return address


def check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidAccount(
            f"用户名「{name}」不符合要求：只能包含小写英文字母、数字和 . _ -，"
            "以字母或数字开头，长度 2 至 32 个字符"
        )


class Accounts:
    """The accounts of one data folder; one instance per process is enough."""

    def __init__(
        self, data_dir: Path, *, hasher: PasswordHasher | None = None, shared: SharedFile | None = None
    ) -> None:
        self.folder = Path(data_dir) / "staff"
        self.path = self.folder / "users.json"
        self.lock_path = self.folder / "users.lock"
        self.hasher = hasher or PasswordHasher()
        self.shared = shared
        """With PostgreSQL: the same document kept in the database instead of the file."""
        self._cached: dict[str, Any] | None = None
        self._signature: tuple[int, int, int] | None = None
        self._read_at = 0.0
        self._dummy_hash: str | None = None

    @classmethod
    def of(cls, settings: Settings, *, hasher: PasswordHasher | None = None) -> Accounts:
        """The accounts the settings' backend keeps: the file in the data directory, or with
        PostgreSQL the database, so that every worker and host sees the same accounts,
        failed logins and lockouts."""
        shared = None
        if settings.engine == "postgres":
            from forms_api.storage.postgres.shared import SharedFile

            shared = SharedFile(settings.database_url, ACCOUNTS_DOCUMENT)
        return cls(settings.data_dir, hasher=hasher, shared=shared)

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()

    # -- reading -------------------------------------------------------------------------

    def users(self) -> list[User]:
        """Every account, by name."""
        data = self._current()
        return [_user(name, record) for name, record in sorted(data["users"].items())]

    def get(self, name: str) -> User | None:
        record = self._current()["users"].get(name)
        return None if record is None else _user(name, record)

    def document(self) -> dict[str, Any]:
        """The whole accounts document as stored (for copying it to another backend)."""
        self._cached = None
        return json.loads(_serialise(self._current()))

    def replace_document(self, data: dict[str, Any]) -> None:
        """Store ``data`` (from :meth:`document`) as the whole accounts document."""
        if not isinstance(data.get("users"), dict):
            raise AccountFileError("账号数据格式错误，无法写入")

        def replace(current: dict[str, Any]) -> None:
            current.clear()
            current.update(json.loads(json.dumps(data)))
            current.setdefault("attempts", {})

        self._update(replace)

    def _current(self) -> dict[str, Any]:
        """The file's content, read again only when it has changed since the last read.

        In the database: read again when the last read is more than :data:`SHARED_FRESHNESS`
        old (an account disabled on one host is refused on the others within that time)."""
        if self.shared is not None:
            if self._cached is None or time.monotonic() - self._read_at > SHARED_FRESHNESS:
                raw, version = self.shared.read()
                if self._cached is None or version != self._signature:
                    self._cached = _empty() if raw is None else self._parse(raw)
                    self._signature = version
                self._read_at = time.monotonic()
            return self._cached
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            self._cached, self._signature = None, None
            return _empty()
        with handle:
            stat = os.fstat(handle.fileno())
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if self._cached is None or signature != self._signature:
                self._cached = self._parse(handle.read())
                self._signature = signature
        return self._cached

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
                raise ValueError
        except ValueError:
            raise AccountFileError(f"账号文件 {self.path} 格式错误，无法读取") from None
        data.setdefault("attempts", {})
        return data

    # -- writing -------------------------------------------------------------------------

    def _update(self, change: Callable[[dict[str, Any]], Any], now: dt.datetime | None = None) -> Any:
        """``change`` applied to the file's latest content under the lock; written if it returns.

        ``now`` is the time attempt entries are pruned against (tests move the clock).
        """
        if self.shared is not None:
            outcome: list[Any] = []

            def rewrite(raw: bytes | None) -> bytes:
                data = _empty() if raw is None else self._parse(raw)
                outcome.append(change(data))
                _prune(data, now or utcnow())
                data["version"] = FILE_VERSION
                return _serialise(data)

            self.shared.update(rewrite)
            self._cached, self._signature = None, None
            return outcome[0]
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                data = self._parse(self.path.read_bytes())
            except FileNotFoundError:
                data = _empty()
            result = change(data)
            _prune(data, now or utcnow())
            self._write(data)
            return result
        finally:
            os.close(fd)  # releases the flock

    def _write(self, data: dict[str, Any]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        # write_atomically opens the temporary file with open("wb"), which keeps the mode of an
        # existing file: creating it here with 600 means the hashes are never readable by others.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
        data["version"] = FILE_VERSION
        write_atomically(self.path, _serialise(data))
        self._cached, self._signature = None, None

    def add(
        self,
        name: str,
        role: Role | str,
        password: str,
        departments: Iterable[str] = (),
        *,
        known_departments: Collection[str],
        email: str = "",
        now: dt.datetime | None = None,
    ) -> User:
        """A new account; ``known_departments`` are the catalog's department ids."""
        check_name(name)
        email = check_email(email)
        try:
            role = role if isinstance(role, Role) else parse_role(role)
        except RoleError as exc:
            raise InvalidAccount(str(exc)) from None
        bound = tuple(dict.fromkeys(departments))
        check_departments(role, bound, known_departments)
        check_password(password)
        password_hash = self.hasher.hash(password)  # slow: outside the lock
        record = {
            "role": role.id,
            "departments": list(bound),
            "password_hash": password_hash,
            "totp_secret": None,
            "totp_last_step": None,
            "disabled": False,
            "created_at": (now or utcnow()).isoformat(),
            "email": email,
        }

        def insert(data: dict[str, Any]) -> None:
            if name in data["users"]:
                raise UserExists(name)
            data["users"][name] = record

        self._update(insert, now)
        return _user(name, record)

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        def change(data: dict[str, Any]) -> None:
            _existing(data, name)["disabled"] = disabled

        self._update(change)

    def set_email(self, name: str, email: str) -> None:
        """Set (or with "" clear) where ``name`` gets reminders and digests."""
        email = check_email(email)

        def change(data: dict[str, Any]) -> None:
            _existing(data, name)["email"] = email

        self._update(change)

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        password_hash = self.hasher.hash(password)

        def change(data: dict[str, Any]) -> None:
            _existing(data, name)["password_hash"] = password_hash

        self._update(change)

    def enable_totp(self, name: str) -> str:
        """Turn on the second factor for ``name`` with a new secret (replacing any), returned."""
        secret = totp.generate_secret()

        def change(data: dict[str, Any]) -> None:
            record = _existing(data, name)
            record["totp_secret"] = secret
            record["totp_last_step"] = None

        self._update(change)
        return secret

    # -- logging in ----------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, totp_code: str | None = None, now: dt.datetime | None = None
    ) -> User:
        """The user whose name and password (and code) these are, or an :class:`AccountError`."""
        now = now or utcnow()
        key = name.strip().lower()
        if not NAME_PATTERN.fullmatch(key):
            self._verify(None, password)  # the same work as for a real name
            raise InvalidCredentials()
        data = self._current()
        if (until := _locked_until(data, key, now)) is not None:
            raise AccountLocked(until, now)
        record = data["users"].get(key)
        if not self._verify(record["password_hash"] if record else None, password):
            self._fail(key, now)
            raise InvalidCredentials()
        if record["disabled"]:
            raise AccountDisabled()
        step = None
        if record.get("totp_secret"):
            if not totp_code:
                raise SecondFactorRequired()
            step = totp.verify(
                totp.decode_secret(record["totp_secret"]),
                totp_code,
                now.timestamp(),
                after_step=record.get("totp_last_step"),
            )
            if step is None:
                self._fail(key, now)
                raise InvalidSecondFactor()
        new_hash = (
            self.hasher.hash(password) if self.hasher.check_needs_rehash(record["password_hash"]) else None
        )
        if new_hash or step is not None or key in data["attempts"]:
            self._succeed(key, now, step, new_hash)
        return _user(key, record if not new_hash else {**record, "password_hash": new_hash})

    def _verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash("no such user: the same work as a real one")
            password_hash, result = self._dummy_hash, False
        else:
            result = True
        try:
            self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return result

    def _fail(self, key: str, now: dt.datetime) -> None:
        """Count a failure; :class:`AccountLocked` when it is the one that locks the name."""

        def change(data: dict[str, Any]) -> dt.datetime | None:
            if (until := _locked_until(data, key, now)) is not None:
                raise AccountLocked(until, now)
            entry = data["attempts"].setdefault(key, {"failures": [], "locked_until": None})
            entry["failures"] = [t for t in entry["failures"] if _recent(t, now)] + [now.isoformat()]
            if len(entry["failures"]) < MAX_FAILURES:
                return None
            entry["failures"], entry["locked_until"] = [], (now + LOCKOUT).isoformat()
            return now + LOCKOUT

        if (until := self._update(change, now)) is not None:
            raise AccountLocked(until, now)

    def _succeed(self, key: str, now: dt.datetime, step: int | None, new_hash: str | None) -> None:
        def change(data: dict[str, Any]) -> None:
            if (until := _locked_until(data, key, now)) is not None:
                raise AccountLocked(until, now)
            record = data["users"].get(key)
            if record is None:  # removed meanwhile
                raise InvalidCredentials()
            if step is not None:
                last = record.get("totp_last_step")
                if last is not None and step <= last:  # the same code used at the same time
                    raise InvalidSecondFactor()
                record["totp_last_step"] = step
            if new_hash:
                record["password_hash"] = new_hash
            data["attempts"].pop(key, None)

        self._update(change, now)


def _serialise(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _empty() -> dict[str, Any]:
    return {"version": FILE_VERSION, "users": {}, "attempts": {}}


def _user(name: str, record: dict[str, Any]) -> User:
    return User(
        name=name,
        role=parse_role(record["role"]),
        departments=tuple(record.get("departments", ())),
        password_hash=record["password_hash"],
        created_at=dt.datetime.fromisoformat(record["created_at"]),
        totp_secret=record.get("totp_secret"),
        disabled=bool(record.get("disabled")),
        email=record.get("email", ""),
    )


def _existing(data: dict[str, Any], name: str) -> dict[str, Any]:
    try:
        return data["users"][name]
    except KeyError:
        raise UnknownUser(name) from None


def check_departments(role: Role, bound: tuple[str, ...], known: Collection[str]) -> None:
    """:class:`InvalidAccount` unless ``bound`` suits ``role`` and every id is in ``known``."""
    if role.needs_departments and not bound:
        raise InvalidAccount(f"{role.label}必须绑定至少一个部门（用 --department 指定部门标识）")
    if not role.needs_departments and bound:
        raise InvalidAccount(f"只有办理员需要绑定部门，{role.label}不能绑定部门")
    unknown = [d for d in bound if d not in known]
    if unknown:
        choices = "、".join(sorted(known)) or "（目录中没有部门）"
        raise InvalidAccount(f"目录中没有部门「{'、'.join(unknown)}」，可选的部门标识：{choices}")


def _recent(timestamp: str, now: dt.datetime) -> bool:
    return now - dt.datetime.fromisoformat(timestamp) < FAILURE_WINDOW


def _locked_until(data: dict[str, Any], key: str, now: dt.datetime) -> dt.datetime | None:
    entry = data["attempts"].get(key)
    if entry and entry.get("locked_until"):
        until = dt.datetime.fromisoformat(entry["locked_until"])
        if until > now:
            return until
    return None


def _prune(data: dict[str, Any], now: dt.datetime) -> None:
    """Drop attempt entries that no longer matter: no recent failure, no lock in force."""
    for key in list(data["attempts"]):
        entry = data["attempts"][key]
        if _locked_until(data, key, now) is None and not any(_recent(t, now) for t in entry["failures"]):
            del data["attempts"][key]
