"""Personal data encrypted at rest, and lookup codes kept only as keyed hashes.

The key is a file outside the store (``var/secrets/data.key`` by default; settings move it),
created on first run with mode 600. ID numbers and phone numbers are encrypted with
AES-256-GCM; each value gets a random nonce. A lookup code is stored as an HMAC of the code,
so the store alone does not let anyone read a submission's progress.

After the key is rotated (``ipps keys rotate data``, :mod:`forms_api.domain.rotation`) every
encrypted value is under the new key and the old key is gone; lookup codes cannot be hashed
again without the codes, so the old key's *lookup-code* key alone (derived from it, useless
for decrypting) stays in ``retired/data-<fingerprint>.mac`` beside the key file, and codes
handed out before the rotation are checked against it too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import KeyFileError, fingerprint, load_or_create, read_key

__all__ = ["KeyFileError", "Vault", "mask_id", "mask_phone", "new_lookup_code"]

RETIRED = "retired"
"""The folder beside the key file that keeps what rotated keys leave behind."""

_NONCE = 12
LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Capitals and digits without I, O, 0 and 1: a code is read off paper and typed. Exactly 32."""


def lookup_key(key: bytes) -> bytes:
    """The key lookup codes are hashed with, derived from the data key."""
    return hashlib.sha256(b"ipps lookup codes" + key).digest()


def next_key_path(path: Path) -> Path:
    """Where a rotation keeps the new data key until every value is encrypted with it."""
    return path.with_name(path.name + ".next")


class Vault:
    def __init__(
        self, key: bytes, *, retired_lookup_keys: Sequence[bytes] = (), previous: Sequence[bytes] = ()
    ) -> None:
        """``retired_lookup_keys``: lookup-code keys of rotated data keys (codes handed out
        before are checked against them too); ``previous``: data keys whose values
        :meth:`decrypt` still reads (only a rotation in progress has any)."""
        if len(key) != 32:
            raise KeyFileError("密钥长度应为 32 字节")
        self._aes = AESGCM(key)
        self._previous = [AESGCM(old) for old in previous]
        self._mac_key = lookup_key(key)
        self._retired_macs = list(retired_lookup_keys)
        self.fingerprint = fingerprint(key, "data")
        """Identifies the key (see :func:`.keys.fingerprint`)."""

    @classmethod
    def open(cls, path: Path) -> Vault:
        """The key at ``path``, created (mode 600) when there is none yet, with the lookup-code
        keys of the keys it replaced. Refused while a rotation is unfinished."""
        if next_key_path(path).exists():
            raise KeyFileError(
                f"数据加密密钥的轮换尚未完成（存在 {next_key_path(path)}）：请再次运行 ipps keys rotate data 完成轮换后再启动"
            )
        return cls(load_or_create(path, "密钥文件"), retired_lookup_keys=read_retired_lookup_keys(path))

    def encrypt(self, text: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        return base64.b64encode(nonce + self._aes.encrypt(nonce, text.encode("utf-8"), None)).decode("ascii")

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        for aes in (self._aes, *self._previous):
            try:
                return aes.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode("utf-8")
            except InvalidTag:
                continue
        raise InvalidTag

    def reencrypted(self, token: str) -> str | None:
        """``token`` encrypted with the current key, or None when it already is."""
        raw = base64.b64decode(token)
        try:
            self._aes.decrypt(raw[:_NONCE], raw[_NONCE:], None)
        except InvalidTag:
            return self.encrypt(self.decrypt(token))
        return None

    def code_hash(self, code: str) -> str:
        return _code_hash(self._mac_key, code)

    def code_matches(self, code: str, stored: str) -> bool:
        """Whether ``code`` hashes to ``stored`` under the current or a retired lookup-code key
        (every key is tried, so the time taken does not tell which)."""
        results = [
            hmac.compare_digest(_code_hash(key, code), stored) for key in (self._mac_key, *self._retired_macs)
        ]
        return any(results)


def _code_hash(mac_key: bytes, code: str) -> str:
    return hmac.new(mac_key, code.strip().upper().encode("ascii", "ignore"), hashlib.sha256).hexdigest()


def retired_lookup_key_path(path: Path, old_key: bytes) -> Path:
    return path.parent / RETIRED / f"data-{fingerprint(old_key, 'data')[:16]}.mac"


def read_retired_lookup_keys(path: Path) -> list[bytes]:
    """The lookup-code keys the rotations of the data key at ``path`` left behind."""
    folder = path.parent / RETIRED
    found = sorted(folder.glob("data-*.mac")) if folder.is_dir() else []
    return [read_key(retired, "已停用密钥的查询码密钥文件") for retired in found]


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
