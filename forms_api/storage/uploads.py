"""Uploaded materials stored durably under generated names.

:func:`save` stores a file as ``<uploads>/<2 hex>/<32 hex>``, a uuid4 name that owes nothing
to the client, with mode 600, and records its type as :func:`.filetypes.sniff` reads it. As in
the store (see :mod:`forms_api.storage.embedded`), the content is written to a temporary file
in ``<uploads>/tmp/``, fsynced, renamed into place and the directory fsynced: once
:func:`save` returns, the file survives ``kill -9`` and power loss, and a crash before leaves
at most a ``tmp/*.part`` file, which :func:`clear_tmp` deletes at start. :func:`remove` rolls
back the files of a submission that could not be stored. These functions block on the disk:
call them from a worker thread in async code.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .embedded.journal import fsync_directory
from .filetypes import sniff


@dataclass(frozen=True)
class StoredFile:
    """A stored upload: its generated name, size in bytes, SHA-256 (hex) and sniffed type."""

    stored_name: str
    size: int
    sha256: str
    type: str


_NAME = re.compile(r"[0-9a-f]{32}")
_TMP = "tmp"
_PART = ".part"

_synced_dirs: set[str] = set()
_synced_lock = threading.Lock()


def path_of(stored_name: str, uploads_dir: Path) -> Path:
    """Where the file named ``stored_name`` is kept; ValueError for anything but a stored name."""
    if not isinstance(stored_name, str) or not _NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return uploads_dir / stored_name[:2] / stored_name


def describe(data: bytes) -> StoredFile:
    """A new stored name for ``data`` (already accepted by :func:`check`), with its size,
    SHA-256 and sniffed type."""
    kind = sniff(data)
    if kind is None:
        raise ValueError("unrecognised content: check() the upload before saving it")
    return StoredFile(uuid.uuid4().hex, len(data), hashlib.sha256(data).hexdigest(), kind)


def save(data: bytes, uploads_dir: Path) -> StoredFile:
    """Store ``data`` (already accepted by :func:`check`) durably under a new name."""
    stored = describe(data)
    write(stored.stored_name, chunks_of(data), uploads_dir)
    return stored


def chunks_of(data: bytes, size: int = 1 << 20) -> Iterator[memoryview]:
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield view[start : start + size]


def write(stored_name: str, chunks: Iterable[bytes | memoryview], uploads_dir: Path) -> None:
    """Write the file ``stored_name`` from ``chunks``, durably (temporary file, fsync, rename)."""
    target = path_of(stored_name, uploads_dir)
    _ensure_directory(uploads_dir)
    _ensure_directory(uploads_dir / _TMP)
    _ensure_directory(target.parent)
    temporary = uploads_dir / _TMP / (stored_name + _PART)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            for chunk in chunks:
                view = memoryview(chunk)
                while view:  # os.write has no buffer of its own to flush
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:
        fsync_directory(target.parent)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def read(stored_name: str, uploads_dir: Path, size: int = 1 << 20) -> Iterator[bytes]:
    """The content of a stored file, ``size`` bytes at a time."""
    with path_of(stored_name, uploads_dir).open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def stored_names(uploads_dir: Path) -> Iterator[str]:
    """The names of every stored file (not the unfinished ones in ``tmp/``)."""
    if not uploads_dir.is_dir():
        return
    for folder in sorted(uploads_dir.iterdir()):
        if folder.is_dir() and folder.name != _TMP:
            for path in sorted(folder.iterdir()):
                if _NAME.fullmatch(path.name):
                    yield path.name


def remove(stored: StoredFile, uploads_dir: Path) -> None:
    """Delete a stored file (rolling back a submission that could not be stored)."""
    path = path_of(stored.stored_name, uploads_dir)
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_directory(path.parent)


def clear_tmp(uploads_dir: Path) -> int:
    """Delete what saves cut short by a crash left in ``tmp/``; call at start, before serving.

    Returns how many files were deleted.
    """
    folder = uploads_dir / _TMP
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.name.endswith(_PART) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        fsync_directory(folder)
    return removed


def _ensure_directory(path: Path) -> None:
    """Create ``path`` (mode 700) if needed and make its entry in the parent durable.

    The parent is fsynced once per process for a directory that was already there, and
    each time this call creates it.
    """
    key = os.path.abspath(path)
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        if key in _synced_dirs:
            return
    fsync_directory(path.parent)
    with _synced_lock:
        _synced_dirs.add(key)
