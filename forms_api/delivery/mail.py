"""E-mail notices through an SMTP server, and the mail server the ``smtp_*`` settings describe.

:class:`EmailChannel` sends with :mod:`smtplib`, which blocks: it runs in a worker thread
(``asyncio.to_thread``), so a slow mail server never holds up the event loop. Headers and body
are UTF-8 (:class:`email.message.EmailMessage` encodes the Chinese subject as RFC 2047 words).

:func:`smtp_config` reads the ``smtp_*`` settings (:mod:`forms_api.settings`), checking them
first: a setting that cannot work is a :class:`~forms_api.settings.SettingsError` when the
service starts, not a failed notice later. Without ``smtp_host`` no mail server is used.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from forms_api.settings import Settings, SettingsError, check_smtp_security
from forms_api.storage.crypto import mask_email

from .notices import PLATFORM_NAME, Notice


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the mail server (the service's settings map onto this)."""

    host: str
    sender: str
    """The From address, e.g. ``noreply@ipps.example.cn``."""
    port: int = 25
    security: str = "starttls"
    """``starttls`` (upgrade a plain connection, usually port 587), ``ssl`` (TLS from the
    start, usually 465) or ``none`` (a relay on the same machine or network)."""
    username: str = ""
    password: str = ""
    """Login only when ``username`` is set."""
    sender_name: str = PLATFORM_NAME
    timeout: float = 15.0
    ca_file: Path | None = None
    """Certificates to trust instead of the system's (a server with an internal CA)."""

    def __post_init__(self) -> None:
        if self.security not in ("starttls", "ssl", "none"):
            raise ValueError(f"邮件服务器加密方式「{self.security}」无效，应为 starttls、ssl 或 none")
        if not self.host:
            raise ValueError("未设置邮件服务器地址")
        if "@" not in self.sender:
            raise ValueError(f"发件地址「{self.sender}」无效")


class EmailChannel:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def message(self, notice: Notice, message_id: str = "") -> EmailMessage:
        """The e-mail of ``notice``; its Message-ID is made from ``message_id`` when given (the
        same on every attempt of one job), else new."""
        config = self.config
        message = EmailMessage()
        local, _, domain = config.sender.rpartition("@")
        message["From"] = Address(config.sender_name, local, domain)
        message["To"] = notice.email
        message["Subject"] = notice.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = (
            message_id_header(message_id, domain) if message_id else make_msgid(domain=domain)
        )
        message.set_content(notice.body, charset="utf-8")
        return message

    async def send(self, notice: Notice, message_id: str = "") -> None:
        """Deliver ``notice`` to ``notice.email``; raises what smtplib raises."""
        await asyncio.to_thread(self._send, self.message(notice, message_id))

    def _send(self, message: EmailMessage) -> None:
        config = self.config
        context = None
        if config.security != "none":
            context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        smtp: smtplib.SMTP
        if config.security == "ssl":
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with smtp:
            if config.security == "starttls":
                smtp.starttls(context=context)
            if config.username:
                smtp.login(config.username, config.password)
            smtp.send_message(message)


def message_id_header(message_id: str, domain: str) -> str:
    """``<digest@domain>``: the same for the same ``message_id``, and only characters a
    Message-ID may hold (job ids have colons)."""
    return f"<{hashlib.sha256(message_id.encode()).hexdigest()[:32]}@{domain}>"


def is_temporary(error: BaseException) -> bool:
    """Whether sending again later may succeed: the server unreachable, busy or timing out, or
    answering 4xx; not an address it refuses for good (5xx) or a failed login."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, ssl.SSLCertVerificationError):
        return False
    return isinstance(error, (smtplib.SMTPException, OSError))


def describe_error(error: BaseException, config: SmtpConfig | None = None) -> str:
    """What went wrong, in Chinese, for the timeline."""
    where = f" {config.host}:{config.port} " if config else ""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "；".join(
            f"{mask_email(to)}：{code} {reply.decode('utf-8', 'replace')}"
            for to, (code, reply) in error.recipients.items()
        )
        return f"邮件服务器拒绝了收件地址（{details}）"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"邮件服务器登录失败（{error.smtp_code}）"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"邮件服务器返回错误 {error.smtp_code}：{error.smtp_error.decode('utf-8', 'replace')}"
    if isinstance(error, smtplib.SMTPException):
        return f"邮件发送出错：{error}"
    if isinstance(error, ssl.SSLError):
        return f"与邮件服务器{where}建立加密连接失败：{error}"
    if isinstance(error, TimeoutError):
        return f"连接邮件服务器{where}超时"
    if isinstance(error, ConnectionRefusedError):
        return f"邮件服务器{where}拒绝连接"
    if isinstance(error, OSError):
        return f"无法连接邮件服务器{where.rstrip()}：{error}"
    return f"发送出错：{type(error).__name__}: {error}"


# --- from the settings ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def smtp_config(settings: Settings, platform_name: str | None = None) -> SmtpConfig | None:
    """The mail server the ``smtp_*`` settings describe, or None without ``smtp_host``.

    ``platform_name`` (the catalog's) is the sender's name unless ``smtp_sender_name`` is set.
    Reads ``smtp_password_file`` when set. Raises :class:`SettingsError`, naming the setting,
    for settings that cannot work together.
    """
    host = settings.smtp_host.strip()
    if not host:
        return None
    host = _check_host(host)
    security = check_smtp_security(settings.smtp_security)
    if not 1 <= settings.smtp_port <= 65535:
        raise SettingsError(f"设置 smtp_port 的值「{settings.smtp_port}」无效，应为 1 到 65535 之间的端口号")
    sender = settings.smtp_sender.strip()
    if not sender:
        raise SettingsError(f"已设置邮件服务器 smtp_host（{host}），但未设置发件地址 smtp_sender")
    _check_sender(sender)
    sender_name = settings.smtp_sender_name.strip() or platform_name or PLATFORM_NAME
    if _CONTROL.search(sender_name):
        raise SettingsError("设置 smtp_sender_name 中不能有换行等控制字符")
    username = settings.smtp_username.strip()
    password = settings.smtp_secret()
    source = "smtp_password_file" if settings.smtp_password_file is not None else "smtp_password"
    if username and not password:
        raise SettingsError(f"已设置 smtp_username（{username}），但 {source} 未给出密码")
    if password and not username:
        raise SettingsError(f"已设置 {source}，但未设置登录用户名 smtp_username")
    for name, value in (("smtp_username", username), (source, password)):
        if not value.isascii():  # smtplib sends the login as ASCII
            raise SettingsError(f"{name} 中有中文等非 ASCII 字符，无法用于登录邮件服务器")
    if settings.smtp_ca_file is not None and not settings.smtp_ca_file.is_file():
        raise SettingsError(f"smtp_ca_file 指定的证书文件 {settings.smtp_ca_file} 不存在")
    try:
        return SmtpConfig(
            host=host,
            sender=sender,
            port=settings.smtp_port,
            security=security,
            username=username,
            password=password,
            sender_name=sender_name,
            ca_file=settings.smtp_ca_file,
        )
    except ValueError as error:  # what the checks above let through
        raise SettingsError(f"邮件服务器设置（smtp_*）无效：{error}") from None


def _check_host(host: str) -> str:
    """``host`` as smtplib takes it (an IPv6 address without its brackets), or SettingsError."""
    if "/" in host or any(c.isspace() for c in host):
        raise SettingsError(f"设置 smtp_host 的值「{host}」无效，只填邮件服务器的主机名或 IP 地址")
    if ":" not in host:
        return host
    try:
        return str(ipaddress.IPv6Address(host.removeprefix("[").removesuffix("]")))
    except ValueError:
        raise SettingsError(
            f"设置 smtp_host 的值「{host}」无效：端口请用 smtp_port 设置，smtp_host 只填主机名"
        ) from None


def _check_sender(sender: str) -> None:
    """An address smtplib can send from: ASCII (no SMTPUTF8), a local part and a domain."""
    problem = ""
    if "<" in sender or " " in sender:
        problem = "只填邮箱地址（如 noreply@ipps.example.cn），发件人名称请用 smtp_sender_name 设置"
    elif not sender.isascii():
        problem = "邮箱地址须为 ASCII 字符"
    else:
        try:
            address = Address(addr_spec=sender)
        except Exception:  # the parser raises several kinds of errors
            address = None
        if address is None or not address.username or not address.domain:
            problem = "应为 noreply@ipps.example.cn 这样的邮箱地址"
    if problem:
        raise SettingsError(f"设置 smtp_sender 的值「{sender}」无效，{problem}")
