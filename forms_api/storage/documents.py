"""Small documents kept beside the store, changed by more than one process: the staff accounts
(``staff/users.json``) and the login attempts (``staff/attempts.json``).

Not in the store: ``ipps serve`` holds the embedded store's lock for as long as it runs, and
``ipps user add`` or ``ipps user unlock`` must work beside it. Two kinds, one interface
(``read``, ``update``, ``close``):

- :class:`LocalDocument`: a file in the data directory. Every change is a read-modify-write
  under an ``flock`` on a lock file beside it, landing atomically (a temporary file created
  with mode 600, fsynced, renamed), so two writers both land and a reader never sees half a
  file; the folder is mode 700;
- :class:`forms_api.storage.postgres.shared.SharedFile`: a row of ``shared_files``, changed under
  the row's lock, so that every worker and host sees the same document.

:func:`document_for` gives the one that goes with the settings' backend.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from forms_api.settings import Settings

from .embedded.shards import write_atomically


class Document(Protocol):
    def read(self) -> tuple[bytes | None, Any]:
        """The content (None when there is none yet) and a signature that changes with it."""
        ...

    def update(self, change: Callable[[bytes | None], bytes]) -> None:
        """Store what ``change`` makes of the latest content, no other writer in between."""
        ...

    def close(self) -> None: ...


class LocalDocument:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_suffix(".lock")

    def read(self) -> tuple[bytes | None, Any]:
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return None, None
        with handle:
            stat = os.fstat(handle.fileno())
            return handle.read(), (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def signature(self) -> Any:
        """The current signature without reading the content (a reader's cache check)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def update(self, change: Callable[[bytes | None], bytes]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current: bytes | None = self.path.read_bytes()
            except FileNotFoundError:
                current = None
            data = change(current)
            temporary = self.path.with_name(f".{self.path.name}.tmp")
            # write_atomically opens the temporary file with open("wb"), which keeps the mode of
            # an existing file: created here with 600, the content is never readable by others.
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT, 0o600)
            os.fchmod(handle, 0o600)
            os.close(handle)
            write_atomically(self.path, data)
        finally:
            os.close(fd)  # releases the flock

    def close(self) -> None:
        pass


def document_for(settings: Settings, name: str) -> Document:
    """The document ``name`` (``staff/users.json``): a file under the data directory, or with
    PostgreSQL the row of that name."""
    if settings.engine == "postgres":
        from .postgres.shared import SharedFile

        return SharedFile(settings.database_url, name)
    return LocalDocument(settings.data_dir / name)
