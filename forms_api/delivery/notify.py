"""Notices to applicants when their application or consultation changes status.

Texts
    :func:`build_notice` turns a stored record (see :mod:`forms_api.domain.submissions`) and an event
    (:data:`EVENTS`) into a :class:`Notice`: a subject and body for e-mail and a shorter text
    for SMS, in Chinese. A notice names the receipt number, the item and what the applicant
    has to do; it never carries the lookup code (the record holds only its keyed hash, and a
    notice may be read by whoever sees the mailbox or the phone) nor an ID number (the record
    keeps it encrypted and masked; neither is used). The recipient's phone is stored
    encrypted, so the caller decrypts it and passes it in.

Channels
    :class:`EmailChannel` sends through an SMTP server with :mod:`smtplib`, which blocks: it
    runs in a worker thread (``asyncio.to_thread``), so a slow mail server never holds up the
    event loop. Headers and body are UTF-8 (:class:`email.message.EmailMessage` encodes the
    Chinese subject as RFC 2047 words). SMS goes through an :class:`SmsAdapter`; the default,
    :class:`LoggingSms`, only writes the message to the ``ipps.sms`` logger until a real
    gateway is plugged in.

Settings
    :func:`notifier_from_settings` builds the service's :class:`Notifier` from the ``smtp_*``
    settings (:mod:`forms_api.settings`), checking them first: a setting that cannot work is a
    :class:`~forms_api.settings.SettingsError` when the service starts, not a failed notice
    later. Without ``smtp_host`` no mail server is used.

Delivery
    :meth:`Notifier.send` tries every channel the recipient has (e-mail address, phone) and
    never raises: a notice is a courtesy next to the status change itself, which is already
    stored. It returns one :class:`Attempt` per channel tried, for the caller to append to the
    record's timeline, so that staff see which notices went out and which failed and why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

from forms_api.settings import Settings, SettingsError, check_smtp_security
from forms_api.storage.crypto import mask_phone
from generator.workdays import china_tz

SENT = "已发送"
FAILED = "发送失败"

EVENTS: dict[str, str] = {
    "accepted": "已受理",
    "correction": "需补正",
    "rejected": "不予受理",
    "in_progress": "办理中",
    "completed": "已办结",
    "replied": "已答复",
}
"""The status changes that send a notice, with the status they stand for."""

CHANNEL_NAMES = {"email": "电子邮件", "sms": "短信"}
"""How the channels of an :class:`Attempt` are shown to people."""

PLATFORM_NAME = "知识产权公共服务平台"

sms_logger = logging.getLogger("ipps.sms")


class NoticeError(ValueError):
    """A notice that cannot be built (unknown event, missing reason); the message is Chinese."""


@dataclass(frozen=True)
class Notice:
    """What one applicant is told about one status change."""

    receipt_no: str
    event: str
    subject: str
    body: str
    sms: str
    """The short form of ``body`` for a text message."""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Attempt:
    """One try of one channel: what the record's timeline keeps of a notice."""

    channel: str
    """``email`` or ``sms`` (:data:`CHANNEL_NAMES` has their Chinese names)."""
    to: str
    """The e-mail address, or the phone masked (``138****1234``)."""
    at: str
    event: str
    status: str
    """:data:`SENT` or :data:`FAILED`."""
    error: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# --- texts -------------------------------------------------------------------------------------


def build_notice(
    record: Mapping[str, Any],
    event: str,
    *,
    phone: str = "",
    problems: Sequence[str] = (),
    reason: str = "",
    reply: str = "",
    platform_name: str = PLATFORM_NAME,
) -> Notice:
    """The notice of ``event`` (a key of :data:`EVENTS`) for ``record``.

    ``phone`` is the recipient's phone, decrypted by the caller; ``problems`` what must be
    corrected (``correction``), ``reason`` why the application is not accepted (``rejected``),
    ``reply`` the answer to a consultation (``replied``; default: the record's ``reply.text``).
    """
    if event not in EVENTS:
        raise NoticeError(f"未知的通知事件「{event}」，应为：{'、'.join(EVENTS)}")
    receipt_no = str(record.get("receipt_no", ""))
    kind = record.get("kind")
    consultation = kind in ("consultation", "complaint")  # the person's fields are the record's own
    person = record if consultation else record.get("applicant") or {}
    name = str(person.get("name", "")).strip()
    email = str(person.get("email", "") or "").strip()
    item = (record.get("item") or {}).get("name", "")
    verb = "提出" if kind == "complaint" else "咨询"
    what = f"您{verb}的“{record.get('subject', '')}”" if consultation else f"您申请的“{item}”"
    greeting = f"{name}：您好！" if name else "您好！"
    problems = [p.strip() for p in problems if p and p.strip()]
    reason = reason.strip()

    if event == "correction" and not problems:
        raise NoticeError("需补正通知须列出需要补正的内容")
    if event == "rejected" and not reason:
        raise NoticeError("不予受理通知须说明理由")
    if event == "replied":
        stored = record.get("reply")
        reply = (reply or (stored.get("text", "") if isinstance(stored, Mapping) else "")).strip()

    status = EVENTS[event]
    lines: list[str]
    if event == "accepted":
        lines = [f"{what}（办件编号 {receipt_no}）已受理，我们将在承诺时限内办理。"]
        if record.get("due_date"):
            lines.append(f"预计办结日期：{record['due_date']}。")
        sms = f"{what}（{receipt_no}）已受理。"
    elif event == "correction":
        lines = [f"{what}（办件编号 {receipt_no}）需要补正以下材料或内容："]
        lines += [f"{number}. {problem}" for number, problem in enumerate(problems, start=1)]
        lines.append("请在网上查询办件进度后按要求补正；补正后我们将继续办理。")
        sms = f"{what}（{receipt_no}）需补正 {len(problems)} 项内容，详见邮件或网上查询。"
    elif event == "rejected":
        lines = [f"{what}（办件编号 {receipt_no}）经审查不予受理。", f"理由：{reason}"]
        lines.append("如有疑问，可来电咨询，或依法申请行政复议、提起行政诉讼。")
        sms = f"{what}（{receipt_no}）不予受理，理由：{reason}"
    elif event == "in_progress":
        lines = [f"{what}（办件编号 {receipt_no}）正在办理中。"]
        sms = f"{what}（{receipt_no}）正在办理中。"
    elif event == "completed":
        lines = [f"{what}（办件编号 {receipt_no}）已办结。", "欢迎对本次服务进行评价。"]
        sms = f"{what}（{receipt_no}）已办结，欢迎评价。"
    else:  # replied
        lines = [f"{what}（编号 {receipt_no}）已有答复。"]
        lines += [f"答复内容：{reply}"] if reply else ["请在网上查询查看答复内容。"]
        lines.append("欢迎对本次服务进行评价。")
        sms = f"{what}（{receipt_no}）已答复，详见邮件或网上查询。"

    body = "\n".join(
        [
            greeting,
            "",
            *lines,
            "",
            "查询办件进度请使用办件编号和提交时取得的查询码（查询码请妥善保管，本通知不含查询码）。",
            "本邮件由系统自动发送，请勿直接回复。",
            "",
            platform_name,
        ]
    )
    return Notice(
        receipt_no=receipt_no,
        event=event,
        subject=f"【{platform_name}】办件 {receipt_no} {status}",
        body=body,
        sms=f"【{platform_name}】{sms}",
        email=email,
        phone=phone.replace(" ", ""),
    )


# --- channels ----------------------------------------------------------------------------------


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

    def message(self, notice: Notice) -> EmailMessage:
        config = self.config
        message = EmailMessage()
        local, _, domain = config.sender.rpartition("@")
        message["From"] = Address(config.sender_name, local, domain)
        message["To"] = notice.email
        message["Subject"] = notice.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=domain)
        message.set_content(notice.body, charset="utf-8")
        return message

    async def send(self, notice: Notice) -> None:
        """Deliver ``notice`` to ``notice.email``; raises what smtplib raises."""
        await asyncio.to_thread(self._send, self.message(notice))

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


class SmsAdapter(Protocol):
    """A text-message gateway: deliver ``text`` to ``phone`` or raise."""

    async def send(self, phone: str, text: str) -> None: ...


class LoggingSms:
    """No gateway yet: the message goes to the ``ipps.sms`` log (with the phone masked)."""

    async def send(self, phone: str, text: str) -> None:
        sms_logger.info("短信发往 %s：%s", mask_phone(phone), text)


def describe_error(error: BaseException, config: SmtpConfig | None = None) -> str:
    """What went wrong, in Chinese, for the timeline."""
    where = f" {config.host}:{config.port} " if config else ""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "；".join(
            f"{to}：{code} {reply.decode('utf-8', 'replace')}"
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


class Notifier:
    def __init__(self, email: EmailChannel | None = None, sms: SmsAdapter | None = None) -> None:
        """``email``: None when no mail server is configured (an e-mail recipient then gets a
        failed attempt saying so); ``sms``: :class:`LoggingSms` unless a gateway is given."""
        self.email = email
        self.sms: SmsAdapter = sms if sms is not None else LoggingSms()

    async def send(self, notice: Notice) -> list[Attempt]:
        """Try every channel the recipient has; one :class:`Attempt` each; never raises."""
        attempts: list[Attempt] = []
        if notice.email:
            attempts.append(await self._try("email", notice.email, notice, self._email))
        if notice.phone:
            attempts.append(await self._try("sms", mask_phone(notice.phone), notice, self._sms))
        return attempts

    async def _email(self, notice: Notice) -> None:
        if self.email is None:
            raise _NotConfigured("未配置邮件服务器，邮件未发送")
        await self.email.send(notice)

    async def _sms(self, notice: Notice) -> None:
        await self.sms.send(notice.phone, notice.sms)

    async def _try(self, channel: str, to: str, notice: Notice, send: Any) -> Attempt:
        try:
            await send(notice)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a notice must never fail the caller
            if isinstance(error, _NotConfigured):
                text = str(error)
            elif channel == "email":
                text = describe_error(error, self.email.config if self.email else None)
            else:
                text = f"短信发送出错：{error}"
            logging.getLogger("ipps.notify").warning(
                "%s 通知 %s 发送失败：%s", channel, notice.receipt_no, text
            )
            return Attempt(channel, to, _now(), notice.event, FAILED, text)
        return Attempt(channel, to, _now(), notice.event, SENT)


class _NotConfigured(Exception):
    pass


def _now() -> str:
    return dt.datetime.now(china_tz()).isoformat(timespec="seconds")


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


def notifier_from_settings(settings: Settings, platform_name: str | None = None) -> Notifier:
    """The service's :class:`Notifier`: e-mail through the server the ``smtp_*`` settings name
    (none without ``smtp_host``: e-mail attempts then fail with 未配置邮件服务器), SMS to the
    log. Raises :class:`SettingsError` as :func:`smtp_config` does."""
    config = smtp_config(settings, platform_name)
    return Notifier(email=EmailChannel(config) if config else None)


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
