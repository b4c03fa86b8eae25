"""Key files: 32 random bytes, base64, mode 600, outside the store; created on first use.

The data key (:mod:`.crypto`) and the staff session key (:mod:`forms_api.console.sessions`)
are both kept this way. A new key is written to a temporary file, fsynced and then *linked*
into place, which fails when the name exists: of several processes starting at once (the
workers of ``ipps serve --workers N``) exactly one creates the key, and the others read the
whole of it, never a half-written file.

Several hosts must hold the same keys (copy ``secrets/`` from the first one). With the
PostgreSQL backend every host checks its keys' :func:`fingerprint` against the ones the
database recorded first, so a host with a different key refuses to start rather than
writing records the others cannot read.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from .embedded.journal import fsync_directory

KEY_BYTES = 32


class KeyFileError(Exception):
    """A key file that cannot be used; the message says why, in Chinese."""


def load_or_create(path: Path, label: str) -> bytes:
    """The key at ``path``, created (mode 600, folder mode 700) when there is none yet.

    ``label`` names the key in messages (``密钥文件``, ``会话密钥文件``)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        install(path, secrets.token_bytes(KEY_BYTES))
    return read_key(path, label)


def read_key(path: Path, label: str) -> bytes:
    """The key at ``path`` (which must exist, mode 600)."""
    if path.stat().st_mode & 0o077:
        raise KeyFileError(f"{label} {path} 的权限过宽，应为 600（仅所有者可读写）")
    try:
        key = base64.b64decode(path.read_bytes(), validate=True)
    except binascii.Error:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{label} {path} 内容无效（应为 {KEY_BYTES} 字节密钥的 base64）")
    return key


def install(path: Path, key: bytes) -> None:
    """Write ``key`` to ``path`` (mode 600) unless a key is there already (then that one stays)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def link(temporary: Path) -> None:
        with contextlib.suppress(FileExistsError):  # another process was first: theirs is kept
            os.link(temporary, path)

    _put(path, key, link)


def replace(path: Path, key: bytes) -> None:
    """Put ``key`` at ``path`` in place of the key there, in one rename (a crash leaves the
    old key or the new one, never part of either)."""
    _put(path, key, lambda temporary: os.replace(temporary, path))


def _put(path: Path, key: bytes, place: Callable[[Path], None]) -> None:
    """``key`` written to a temporary file beside ``path`` (mode 600, fsynced), put in place
    by ``place`` and the folder fsynced; the temporary name never stays."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(key))
            handle.flush()
            os.fsync(handle.fileno())
        place(temporary)
        fsync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def fingerprint(key: bytes, name: str) -> str:
    """A value that identifies ``key`` without revealing it (HMAC-SHA256 of a fixed text)."""
    return hmac.new(key, b"ipps key fingerprint " + name.encode("ascii"), hashlib.sha256).hexdigest()
