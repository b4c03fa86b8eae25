"""Delivering one notice by one channel: what a notice job does (:mod:`forms_api.domain.jobs`).

:meth:`Notifier.deliver` sends a :class:`~.notices.Notice` by e-mail (:mod:`.mail`) or SMS
(:mod:`.sms`) under a message id that the job gives (the same on every attempt, so a mail
client or a gateway that has seen it can drop a second copy sent after a crash), and returns
the recipient as staff may see it (the phone masked). When it fails it raises
:class:`DeliveryFailed` with a Chinese reason and whether trying again later may help (a mail
server down or busy: yes; an address it refuses, no mail server configured: no).

:func:`notifier_from_settings` builds the service's notifier from the ``smtp_*`` settings.
"""

from __future__ import annotations

import asyncio
import logging

from forms_api.settings import Settings
from forms_api.storage.crypto import mask_phone

from .mail import EmailChannel, describe_error, is_temporary, smtp_config
from .notices import Notice
from .sms import LoggingSms, SmsAdapter

CHANNEL_NAMES = {"email": "电子邮件", "sms": "短信"}
"""How the channels are shown to people."""

log = logging.getLogger("ipps.notify")


class DeliveryFailed(Exception):
    """The notice did not go out; ``str()`` says why in Chinese, ``temporary`` whether a later
    attempt may succeed."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


def channels_of(notice: Notice) -> list[str]:
    """The channels the recipient can be reached by."""
    return [channel for channel, to in (("email", notice.email), ("sms", notice.phone)) if to]


class Notifier:
    def __init__(self, email: EmailChannel | None = None, sms: SmsAdapter | None = None) -> None:
        """``email``: None when no mail server is configured (an e-mail then fails, saying so);
        ``sms``: :class:`LoggingSms` unless a gateway is given."""
        self.email = email
        self.sms: SmsAdapter = sms if sms is not None else LoggingSms()

    async def deliver(self, notice: Notice, channel: str, message_id: str) -> str:
        """Send ``notice`` by ``channel``; the recipient as shown to staff. Raises
        :class:`DeliveryFailed` (never anything else but cancellation)."""
        if channel == "email":
            if not notice.email:
                raise DeliveryFailed("申请人未留电子邮箱", temporary=False)
            if self.email is None:
                raise DeliveryFailed("未配置邮件服务器，邮件未发送", temporary=False)
            try:
                await self.email.send(notice, message_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                raise self._failed(notice, channel, describe_error(error, self.email.config), error) from None
            return notice.email
        if channel == "sms":
            if not notice.phone:
                raise DeliveryFailed("申请人未留手机号码", temporary=False)
            try:
                await self.sms.send(notice.phone, notice.sms, message_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a gateway's own errors: worth another try
                raise self._failed(notice, channel, f"短信发送出错：{error}", None) from None
            return mask_phone(notice.phone)
        raise DeliveryFailed(f"未知的通知渠道「{channel}」", temporary=False)

    def _failed(self, notice: Notice, channel: str, text: str, error: BaseException | None) -> DeliveryFailed:
        log.warning("%s 通知 %s 发送失败：%s", channel, notice.receipt_no, text)
        return DeliveryFailed(text, temporary=error is None or is_temporary(error))


def notifier_from_settings(settings: Settings, platform_name: str | None = None) -> Notifier:
    """The service's :class:`Notifier`: e-mail through the server the ``smtp_*`` settings name
    (none without ``smtp_host``: e-mails then fail with 未配置邮件服务器), SMS to the log.
    Raises :class:`SettingsError` as :func:`smtp_config` does."""
    config = smtp_config(settings, platform_name)
    return Notifier(email=EmailChannel(config) if config else None)
