"""Sending one notice by every channel the recipient has, and recording each attempt.

:meth:`Notifier.send` tries e-mail (:mod:`.mail`) and SMS (:mod:`.sms`) and never raises: a
notice is a courtesy next to the status change itself, which is already stored. It returns
one :class:`Attempt` per channel tried, for the caller to append to the record's timeline, so
that staff see which notices went out and which failed and why.

:func:`notifier_from_settings` builds the service's notifier from the ``smtp_*`` settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from forms_api.settings import Settings
from forms_api.storage.crypto import mask_phone
from generator.workdays import china_tz

from .mail import EmailChannel, describe_error, smtp_config
from .notices import Notice
from .sms import LoggingSms, SmsAdapter

SENT = "已发送"
FAILED = "发送失败"

CHANNEL_NAMES = {"email": "电子邮件", "sms": "短信"}
"""How the channels of an :class:`Attempt` are shown to people."""


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


def notifier_from_settings(settings: Settings, platform_name: str | None = None) -> Notifier:
    """The service's :class:`Notifier`: e-mail through the server the ``smtp_*`` settings name
    (none without ``smtp_host``: e-mail attempts then fail with 未配置邮件服务器), SMS to the
    log. Raises :class:`SettingsError` as :func:`smtp_config` does."""
    config = smtp_config(settings, platform_name)
    return Notifier(email=EmailChannel(config) if config else None)
