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
    """A text-message gateway: deliver ``text`` to ``phone`` or raise."""

    async def send(self, phone: str, text: str) -> None: ...


class LoggingSms:
    """No gateway yet: the message goes to the ``ipps.sms`` log (with the phone masked)."""

    async def send(self, phone: str, text: str) -> None:
        sms_logger.info("短信发往 %s：%s", mask_phone(phone), text)
