"""The platform's signing key (8.2.6 b): Ed25519, for receipts, result documents and the
open-data list.

The private key is a key file like the others (:mod:`.keys`): 32 random bytes (the Ed25519
seed), base64, mode 600, ``<data_dir>/secrets/signing.key``, created on first use. Its public
half is published (``/api/verify/key``), so anyone can check a signature without the platform.

A signature is written ``<key id>.<signature>``: the key id is the first 16 hex digits of the
SHA-256 of the raw public key, the signature Ed25519's 64 bytes in unpadded base64url. The id
says which key signed, so signatures made before a key was rotated still verify: a rotated
key's *public* half is kept in ``secrets/retired/signing-<key id>.pub`` (the private half is
gone). What is signed is :func:`canonical`, the claims as compact sorted JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .keys import KeyFileError, fingerprint, load_or_create

RETIRED = "retired"
"""The folder beside the key files that keeps rotated keys (public halves only, for signing)."""


def signing_key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "secrets" / "signing.key"


def canonical(claims: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: ``claims`` as UTF-8 JSON, keys sorted, no spaces."""
    return json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class Signer:
    """Signs with the current key; verifies with it and with the retired public keys."""

    def __init__(self, seed: bytes, retired: Mapping[str, Ed25519PublicKey] | None = None) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self._private.public_key()
        self.key_id = key_id(self.public)
        self.fingerprint = fingerprint(seed, "signing")
        """Identifies the key for the check that every host holds the same (:mod:`.keys`)."""
        self._keys = {**(retired or {}), self.key_id: self.public}

    @classmethod
    def open(cls, path: Path) -> Signer:
        """The key at ``path`` (created, mode 600, when there is none yet) with the retired
        public keys in the ``retired/`` folder beside it."""
        seed = load_or_create(path, "签名密钥文件")
        return cls(seed, read_retired(path.parent / RETIRED))

    def sign(self, claims: Mapping[str, Any]) -> str:
        return f"{self.key_id}.{_b64(self._private.sign(canonical(claims)))}"

    def verify(self, claims: Mapping[str, Any], signature: str) -> bool:
        """Whether ``signature`` is a signature of ``claims`` by the current or a retired key."""
        kid, _, value = signature.partition(".")
        public = self._keys.get(kid)
        if public is None:
            return False
        try:
            public.verify(_unb64(value), canonical(claims))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def public_pem(self) -> bytes:
        return public_pem(self.public)

    def raw_signature(self, data: bytes) -> bytes:
        """Ed25519's 64 bytes over ``data`` itself (a file others check with standard tools)."""
        return self._private.sign(data)


def read_retired(folder: Path) -> dict[str, Ed25519PublicKey]:
    """The retired public keys in ``folder`` (``signing-<key id>.pub``, PEM) by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    for path in sorted(folder.glob("signing-*.pub")) if folder.is_dir() else ():
        try:
            public = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:
            raise KeyFileError(f"已停用的签名公钥 {path} 内容无效（应为 PEM 格式的 Ed25519 公钥）") from None
        if not isinstance(public, Ed25519PublicKey):
            raise KeyFileError(f"已停用的签名公钥 {path} 不是 Ed25519 公钥")
        keys[key_id(public)] = public
    return keys
