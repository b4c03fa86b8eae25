"""Staff accounts: ``<data_dir>/staff/users.json``, argon2 passwords, second factor.

Where they live: a small document beside the store (:mod:`forms_api.storage.documents`), so
that ``ipps user add`` works while the server runs: a file changed under an ``flock`` and
replaced atomically, read again by the server when it changes; with PostgreSQL
(:meth:`Accounts.of`) a row every worker and host shares, read again at most once a second.
The folder is mode 700 and the file mode 600.

Passwords are argon2id hashes (``argon2-cffi``'s :class:`~argon2.PasswordHasher`); when the
hasher's parameters change, a successful login stores a new hash. The policy is a length:
at least 10 characters.

Logging in (:meth:`Accounts.authenticate`):

- an unknown name and a wrong password give the same error, after the same argon2 work (a
  dummy hash is checked for unknown names), so the answers do not tell which names exist;
- only after the right password: a disabled account is told so, and an account with a
  second factor asks for its code (:mod:`.totp`); a wrong or reused code is a failure.

Failures are not counted here and never rewrite this document: the login page slows repeated
failures per account and address (:mod:`.attempts`), without locking anyone out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forms_api.storage.documents import Document, LocalDocument, document_for

from . import totp
from .roles import Role, RoleError, parse_role

if TYPE_CHECKING:
    from forms_api.settings import Settings

MIN_PASSWORD_LENGTH = 10
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
        self, data_dir: Path, *, hasher: PasswordHasher | None = None, document: Document | None = None
    ) -> None:
        self.folder = Path(data_dir) / "staff"
        self.path = self.folder / "users.json"
        self.hasher = hasher or PasswordHasher()
        self.source: Document = document or LocalDocument(self.path)
        """Where the accounts are: the file, or with PostgreSQL a row (:meth:`of`)."""
        self._cached: dict[str, Any] | None = None
        self._signature: Any = None
        self._read_at = 0.0
        self._dummy_hash: str | None = None

    @classmethod
    def of(cls, settings: Settings, *, hasher: PasswordHasher | None = None) -> Accounts:
        """The accounts the settings' backend keeps: the file in the data directory, or with
        PostgreSQL the database, so that every worker and host sees the same accounts."""
        return cls(settings.data_dir, hasher=hasher, document=document_for(settings, ACCOUNTS_DOCUMENT))

    def close(self) -> None:
        self.source.close()

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
            current.pop("attempts", None)

        self._update(replace)

    def _current(self) -> dict[str, Any]:
        """The accounts, read again only when they have changed since the last read.

        A file: when its inode, modification time or size changed. In the database: when the
        last read is more than :data:`SHARED_FRESHNESS` old (an account disabled on one host is
        refused on the others within that time)."""
        document = self.source
        if isinstance(document, LocalDocument):
            if self._cached is not None and document.signature() == self._signature:
                return self._cached
        elif self._cached is not None and time.monotonic() - self._read_at <= SHARED_FRESHNESS:
            return self._cached
        raw, signature = document.read()
        if self._cached is None or signature != self._signature:
            self._cached = _empty() if raw is None else self._parse(raw)
            self._signature = signature
        self._read_at = time.monotonic()
        return self._cached

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
                raise ValueError
        except ValueError:
            raise AccountFileError(f"账号文件 {self.path} 格式错误，无法读取") from None
        data.pop("attempts", None)  # kept here by earlier versions: now in staff/attempts.json
        return data

    # -- writing -------------------------------------------------------------------------

    def _update(self, change: Callable[[dict[str, Any]], Any]) -> Any:
        """``change`` applied to the latest accounts, no other writer in between; stored."""
        outcome: list[Any] = []

        def rewrite(raw: bytes | None) -> bytes:
            data = _empty() if raw is None else self._parse(raw)
            outcome.append(change(data))
            data["version"] = FILE_VERSION
            return _serialise(data)

        self.source.update(rewrite)
        self._cached, self._signature = None, None
        return outcome[0]

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

        self._update(insert)
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
        record = data["users"].get(key)
        if not self._verify(record["password_hash"] if record else None, password):
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
                raise InvalidSecondFactor()
        new_hash = (
            self.hasher.hash(password) if self.hasher.check_needs_rehash(record["password_hash"]) else None
        )
        if new_hash or step is not None:
            self._succeed(key, step, new_hash)
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

    def _succeed(self, key: str, step: int | None, new_hash: str | None) -> None:
        def change(data: dict[str, Any]) -> None:
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

        self._update(change)


def _serialise(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _empty() -> dict[str, Any]:
    return {"version": FILE_VERSION, "users": {}}


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
