"""Text-message notices: the gateway interface, and the log that stands in for one.

SMS goes through an :class:`SmsAdapter`; the default, :class:`LoggingSms`, only writes the
message to the ``ipps.sms`` logger (the phone masked) until a real gateway is plugged in.
"""

from __future__ import annotations

import logging
from typing import Protocol

from forms_api.storage.crypto import mask_phone

sms_logger = logging.getLogger("ipps.sms")


class SmsAdapter(Protocol):
    """A text-message gateway: deliver ``text`` to ``phone`` or raise. ``message_id`` is the
    same on every attempt of one notice: pass it to a gateway that can drop a repeat (most take
    a client message id), so a retry after a crash does not send twice."""

    async def send(self, phone: str, text: str, message_id: str) -> None: ...


class LoggingSms:
    """No gateway yet: the message goes to the ``ipps.sms`` log (with the phone masked)."""

    async def send(self, phone: str, text: str, message_id: str) -> None:
        sms_logger.info("短信发往 %s：%s（%s）", mask_phone(phone), text, message_id)
