"""Settings of the service: defaults, then a settings file, then ``IPPS_*`` environment variables.

The settings file is ``ipps.toml`` in the working directory, or the file ``IPPS_SETTINGS``
names. Keys are the field names below; environment variables are ``IPPS_`` + the name in
capitals (lists comma-separated), e.g. ``IPPS_DATA_DIR=/srv/ipps``, ``IPPS_RATE_LIMIT=0``.
An empty value leaves a number, a folder or ``smtp_security`` at its default.

The mail server for notices is set with the ``smtp_*`` settings; without ``smtp_host`` no
e-mail is sent (see :func:`forms_api.delivery.notifier.notifier_from_settings`). Its password is best
kept in a file of its own (``smtp_password_file``, readable only by the service) rather than
in ``ipps.toml``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path("ipps.toml")


class SettingsError(Exception):
    """A setting that cannot be used; the message says which and why, in Chinese."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    """Store, uploads and the encryption key live here unless moved."""
    site_dir: Path = Path("site")
    """The built site (``ipps build``)."""
    catalog_dir: Path = Path("catalog")
    key_file: Path | None = None
    """The encryption key, kept outside the store; default ``<data_dir>/secrets/data.key``."""
    rate_limit: str = "10/minute"
    """Submissions per client: ``N/second``, ``N/minute``, ``N/hour``, or ``0`` for no limit."""
    max_body_mb: int = 20
    """Largest request body; larger requests get 413."""
    max_file_mb: int | None = None
    """Largest uploaded file; default: the catalog's ``upload_max_file_mb`` or a material's own."""
    max_fields: int = 100
    """Most form fields (files included) in one request."""
    allowed_origins: tuple[str, ...] = ()
    """Sites other than this one allowed to post to the API (e.g. the provincial platform)."""
    trusted_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    """Host names this service answers to (the platform's own domain is added from the catalog)."""
    smtp_host: str = ""
    """The mail server that sends notices; empty: no e-mail is sent."""
    smtp_port: int = 25
    smtp_security: str = "starttls"
    """``starttls`` (usually port 587), ``ssl`` (usually 465) or ``none`` (a local relay)."""
    smtp_sender: str = ""
    """The From address, e.g. ``noreply@ipps.example.cn``; required with ``smtp_host``."""
    smtp_sender_name: str = ""
    """The From name; default: the platform's name."""
    smtp_username: str = ""
    """Log in to the mail server only when set."""
    smtp_password: str = field(default="", repr=False)
    smtp_password_file: Path | None = None
    """A file holding the mail server's password (instead of ``smtp_password``)."""
    smtp_ca_file: Path | None = None
    """Certificates to trust instead of the system's, for a mail server with an internal CA."""
    department_emails: tuple[str, ...] = ()
    """Department mailboxes for reminders, 催告 and the daily digest: ``id=address`` pairs
    (``IPPS_DEPARTMENT_EMAILS=copyright-bureau=bqc@ipps.example.cn,…``; ids from
    departments.yml) or a table in ``ipps.toml``; besides the work addresses of the
    department's handlers (``ipps user email``)."""
    retention_days: tuple[str, ...] = ()
    """Days after a record is closed until its personal data is erased, per kind, as
    ``kind=days`` pairs (or a table in ``ipps.toml``), over the defaults of
    :data:`forms_api.domain.retention.DEFAULT_DAYS` (the privacy page's periods);
    ``application=0`` keeps applications (the default: they are archives)."""
    upload_grace_hours: int = 24
    """Uploaded files that no record names (left by a crash between upload and commit) are
    removed once they are this old."""
    metrics_allow: tuple[str, ...] = ()
    """Addresses or networks allowed to read ``/metrics`` (``127.0.0.1,10.0.0.0/8``); empty:
    ``/metrics`` is off (404)."""
    log_format: str = "json"
    """``json`` (one object per line, for a log collector) or ``text`` (for a terminal)."""
    jobs_in_server: str = "auto"
    """Whether ``ipps serve`` runs background jobs (notices, reminders) itself: ``auto`` (yes
    when it serves as one process, no with ``--workers`` above 1: run ``ipps worker``), ``yes``
    or ``no``."""
    job_lease_seconds: int = 300
    """How long a worker holds a job before another may take it (a worker that died)."""
    job_retry_seconds: int = 30
    """The first wait before a failed job is tried again; it doubles with each attempt."""
    database_url: str = field(default="", repr=False)
    """``postgresql://user:password@host:5432/ipps``: keep the records in PostgreSQL (several
    workers and hosts) instead of the embedded store under ``data_dir``; empty: embedded."""

    @property
    def engine(self) -> str:
        """``postgres`` with a ``database_url``, else ``embedded``."""
        return "postgres" if self.database_url else "embedded"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def key_path(self) -> Path:
        return self.key_file or self.data_dir / "secrets" / "data.key"

    @property
    def department_mailboxes(self) -> dict[str, str]:
        """``department_emails`` as department id → address."""
        return dict(pair.split("=", 1) for pair in self.department_emails)

    @property
    def retention(self) -> dict[str, int]:
        """``retention_days`` as kind → days (only what is set; the defaults are the domain's)."""
        return {kind: int(days) for kind, days in (pair.split("=", 1) for pair in self.retention_days)}

    @property
    def rate(self) -> tuple[int, float] | None:
        """(requests, per seconds), or None when unlimited."""
        return parse_rate(self.rate_limit)

    def smtp_secret(self) -> str:
        """The mail server's password: ``smtp_password``, or what ``smtp_password_file`` holds
        (without the line end at its end). Read when called, so that commands that never send
        mail do not need to read the file."""
        _check_one_password(self)
        if self.smtp_password_file is None:
            return self.smtp_password
        try:
            text = self.smtp_password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(
                f"无法读取 smtp_password_file 指定的密码文件 {self.smtp_password_file}：{exc}"
            ) from None
        return text.rstrip("\r\n")


_PER = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def parse_rate(text: str) -> tuple[int, float] | None:
    text = text.strip()
    if text in ("0", ""):
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour)", text)
    if not match or int(match[1]) < 1:
        raise SettingsError(
            f"rate_limit「{text}」格式不正确，应为 10/minute、5/second、100/hour 或 0（不限制）"
        )
    return int(match[1]), _PER[match[2]]


def load(environ: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Defaults, overridden by the settings file, overridden by the environment."""
    environ = dict(os.environ if environ is None else environ)
    cwd = cwd or Path.cwd()
    values: dict[str, Any] = {}
    named = environ.get("IPPS_SETTINGS")
    path = Path(named) if named else cwd / DEFAULT_FILE
    if named and not path.is_file():
        raise SettingsError(f"IPPS_SETTINGS 指向的设置文件 {path} 不存在")
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"设置文件 {path} 格式错误：{exc}") from None
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise SettingsError(f"设置文件 {path} 中有未知的设置：{'、'.join(unknown)}")
    for name in fields:
        if (text := environ.get(f"IPPS_{name.upper()}")) is not None:
            values[name] = text
    converted = {name: _convert(name, value, fields[name]) for name, value in values.items()}
    settings = Settings(**{name: value for name, value in converted.items() if value is not _DEFAULT})
    _check_one_password(settings)
    return settings


SMTP_SECURITY = ("starttls", "ssl", "none")

_DEFAULT = object()


def check_smtp_security(value: Any) -> str:
    """``value`` as a valid ``smtp_security`` (``STARTTLS`` → ``starttls``), or SettingsError."""
    security = str(value).strip().lower()
    if security not in SMTP_SECURITY:
        raise SettingsError(
            f"设置 smtp_security 的值「{value}」无效，应为 starttls、ssl 或 none（不加密，仅限本机或内网中继）"
        )
    return security


JOBS_IN_SERVER = ("auto", "yes", "no")


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    choice = str(value).strip().lower()
    if choice not in choices:
        raise SettingsError(f"设置 {name} 的值「{value}」无效，应为 {'、'.join(choices)} 之一")
    return choice


def check_database_url(value: Any) -> str:
    """``value`` as a ``database_url`` (empty: the embedded store), or SettingsError."""
    url = str(value).strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        shown = url.split("@")[-1] if "@" in url else url  # never print a password
        raise SettingsError(
            f"设置 database_url 的值「…{shown}」无效，应为 postgresql://用户名:密码@主机:端口/数据库名"
        )
    return url


def _network(entry: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        raise SettingsError(
            f"设置 metrics_allow 中的「{entry}」无效，应为 IP 地址或网段，如 127.0.0.1 或 10.0.0.0/8"
        ) from None


def _retention(pair: str) -> str:
    kind, _, days = (part.strip() for part in str(pair).partition("="))
    if not kind or not days.isdigit():
        raise SettingsError(
            f"设置 retention_days 中的「{pair}」无效，应为 种类=天数，如 consultation=1095（0 表示不删除）"
        )
    return f"{kind}={int(days)}"


def _department_email(pair: str) -> str:
    department, _, address = (part.strip() for part in pair.partition("="))
    if not department or "@" not in address or " " in address:
        raise SettingsError(
            f"设置 department_emails 中的「{pair}」无效，应为 部门标识=邮箱，如 copyright-bureau=bqc@ipps.example.cn"
        )
    return f"{department}={address}"


def _check_one_password(settings: Settings) -> None:
    if settings.smtp_password and settings.smtp_password_file is not None:
        raise SettingsError("smtp_password 与 smtp_password_file 只能设置其中一个")


def _convert(name: str, value: Any, spec: dataclasses.Field[Any]) -> Any:
    annotation = str(spec.type)
    if value in ("", None) and (annotation in ("int", "Path") or name == "smtp_security"):
        return _DEFAULT  # a setting that must have a value keeps its default when given none
    try:
        if "Path" in annotation:
            return Path(value) if value not in ("", None) else None
        if "tuple" in annotation:
            if isinstance(value, dict):  # a TOML table: [department_emails] copyright-bureau = "…"
                value = [f"{key}={address}" for key, address in value.items()]
            items = value.split(",") if isinstance(value, str) else list(value)
            found = tuple(str(item).strip() for item in items if str(item).strip())
            if name == "department_emails":
                found = tuple(_department_email(pair) for pair in found)
            if name == "retention_days":
                found = tuple(_retention(pair) for pair in found)
            if name == "metrics_allow":
                found = tuple(_network(entry) for entry in found)
            return found
        if "int" in annotation:
            if value in ("", None):
                return None
            if isinstance(value, bool):
                raise ValueError
            number = int(value)
            if number < 1 or (name == "smtp_port" and number > 65535):
                raise ValueError
            return number
        if name == "rate_limit":
            parse_rate(str(value))
        if name == "smtp_security":
            return check_smtp_security(value)
        if name == "database_url":
            return check_database_url(value)
        if name == "jobs_in_server":
            return check_choice(name, value, JOBS_IN_SERVER)
        if name == "log_format":
            return check_choice(name, value, ("json", "text"))
        if isinstance(value, dict | list):
            raise ValueError
        return str(value).strip() if name.startswith("smtp_") and name != "smtp_password" else str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"设置 {name} 的值「{value}」无效") from None
