"""Personal data encrypted at rest, and lookup codes kept only as keyed hashes.

The key is a file outside the store (``var/secrets/data.key`` by default; settings move it),
created on first run with mode 600. ID numbers and phone numbers are encrypted with
AES-256-GCM; each value gets a random nonce. A lookup code is stored as an HMAC of the code,
so the store alone does not let anyone read a submission's progress.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import KeyFileError, fingerprint, load_or_create

__all__ = ["KeyFileError", "Vault", "mask_id", "mask_phone", "new_lookup_code"]

_NONCE = 12
LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Capitals and digits without I, O, 0 and 1: a code is read off paper and typed. Exactly 32."""


class Vault:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise KeyFileError("密钥长度应为 32 字节")
        self._aes = AESGCM(key)
        self._mac_key = hashlib.sha256(b"ipps lookup codes" + key).digest()
        self.fingerprint = fingerprint(key, "data")
        """Identifies the key (see :func:`.keys.fingerprint`)."""

    @classmethod
    def open(cls, path: Path) -> Vault:
        """The key at ``path``, created (mode 600) when there is none yet."""
        return cls(load_or_create(path, "密钥文件"))

    def encrypt(self, text: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        return base64.b64encode(nonce + self._aes.encrypt(nonce, text.encode("utf-8"), None)).decode("ascii")

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        return self._aes.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode("utf-8")

    def code_hash(self, code: str) -> str:
        return hmac.new(
            self._mac_key, code.strip().upper().encode("ascii", "ignore"), hashlib.sha256
        ).hexdigest()

    def code_matches(self, code: str, stored: str) -> bool:
        return hmac.compare_digest(self.code_hash(code), stored)


def new_lookup_code(length: int = 8) -> str:
    """``length`` characters of :data:`LOOKUP_ALPHABET`, 5 random bits each (40 bits for 8).

    One read of the system's random source: each byte's low 5 bits pick a character, which
    is uniform because the alphabet has exactly 32 characters.
    """
    return "".join(LOOKUP_ALPHABET[byte & 31] for byte in secrets.token_bytes(length))


def mask_phone(phone: str) -> str:
    """138****1234: enough for the applicant to recognise, not enough to call."""
    digits = phone.replace(" ", "")
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def mask_email(address: str) -> str:
    """lin@example.com → l***@example.com: the first character and the domain stay."""
    address = address.strip()
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    if not at:  # not an address: keep no more than a name would
        return address[:1] + "***"
    return f"{local[:1]}***@{domain}"


def mask_id(number: str) -> str:
    """330***********1234"""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)
