"""RFC 6238 time-based one-time passwords (TOTP), the staff's second factor.

Standard library only: a code is HOTP (RFC 4226: HMAC-SHA-1 of the 8-byte counter, dynamic
truncation, modulo 10^digits) of the number of 30-second steps since the Unix epoch. The
secret is random, shown to the person once as base32 and as an ``otpauth://`` URI that
authenticator apps read from a QR code (Google Authenticator's key-URI format).

Verification accepts the step before and after the current one, for clocks that drift and
codes typed near a step's end, and returns the step that matched, so that the caller can
refuse a code already used (a code stays valid for up to 90 seconds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP = 30
"""Seconds per code."""
DIGITS = 6
"""Digits of a code as authenticator apps show it (RFC 6238's test vectors use 8)."""
WINDOW = 1
"""Steps accepted either side of the current one."""


def generate_secret(length: int = 20) -> str:
    """A new random secret of ``length`` bytes (160 bits, as RFC 4226 recommends), in base32."""
    return base64.b32encode(secrets.token_bytes(length)).decode("ascii").rstrip("=")


def decode_secret(secret: str) -> bytes:
    """The key of a base32 secret, forgiving spaces, lower case and missing padding."""
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226: the ``digits``-digit code for ``counter``, zero-padded."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(timestamp: float, step: int = STEP) -> int:
    """The number of whole steps since the Unix epoch at ``timestamp`` (seconds)."""
    return int(timestamp // step)


def totp(key: bytes, timestamp: float, digits: int = DIGITS, step: int = STEP) -> str:
    """RFC 6238: the code valid at ``timestamp`` (Unix seconds)."""
    return hotp(key, step_at(timestamp, step), digits)


def verify(
    key: bytes,
    code: str,
    timestamp: float,
    *,
    digits: int = DIGITS,
    step: int = STEP,
    window: int = WINDOW,
    after_step: int | None = None,
) -> int | None:
    """The step ``code`` belongs to, within ``window`` steps of ``timestamp``; None if none.

    ``after_step`` is the last step already accepted for this secret: codes of that step or
    earlier are refused, so an overheard code cannot be used a second time. Every candidate
    is compared in constant time.
    """
    code = code.strip().replace(" ", "")
    if len(code) != digits or not code.isdigit():
        return None
    current = step_at(timestamp, step)
    matched = None
    for candidate in range(current - window, current + window + 1):
        if candidate < 0 or (after_step is not None and candidate <= after_step):
            continue
        if hmac.compare_digest(hotp(key, candidate, digits), code):
            matched = candidate
    return matched


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """``otpauth://totp/Issuer:account?secret=…`` for an authenticator app to read."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
