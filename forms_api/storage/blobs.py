"""Where uploaded materials and result documents are kept: a blob store.

Two kinds, one interface:

- :class:`Directory` (the default, and always with the embedded store): files under
  ``<data_dir>/uploads`` as :mod:`.uploads` writes them;
- :class:`forms_api.storage.postgres.blobs.DatabaseBlobs` (with the PostgreSQL backend): rows of
  ``blobs`` with the content in ``blob_chunks`` of at most 1 MiB, so that every host sees the
  same files and one ``pg_dump`` backs up records and files together.

Content goes in and comes out in chunks (:meth:`write`, :meth:`read`): neither side holds a
whole stored file in memory. The methods block on the disk or the database: call them from a
worker thread in async code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from forms_api.settings import Settings

from . import uploads
from .uploads import StoredFile

CHUNK = 1 << 20


class Blobs(Protocol):
    def save(self, data: bytes) -> StoredFile:
        """Store ``data`` (already checked) durably under a new name."""
        ...

    def write(self, stored: StoredFile, chunks: Iterable[bytes | memoryview]) -> None:
        """Store the file ``stored`` describes from ``chunks`` (copying between stores)."""
        ...

    def read(self, stored_name: str) -> Iterator[bytes]:
        """The content of a stored file, a chunk at a time; FileNotFoundError when there is none."""
        ...

    def path(self, stored_name: str) -> Path | None:
        """The file on this host's disk, where the store keeps files there; else None."""
        ...

    def remove(self, stored: StoredFile) -> None:
        """Delete a stored file (rolling back a submission that could not be stored)."""
        ...

    def stored_before(self, moment: dt.datetime) -> Iterator[str]:
        """The names of the files stored before ``moment`` (housekeeping looks for orphans)."""
        ...

    def names(self) -> Iterator[str]:
        """Every stored name."""
        ...

    def clear_tmp(self) -> int:
        """Delete what writes cut short by a crash left behind; how many were deleted."""
        ...

    def close(self) -> None: ...


class Directory:
    """Files under one folder (``<data_dir>/uploads``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def save(self, data: bytes) -> StoredFile:
        return uploads.save(data, self.folder)

    def write(self, stored: StoredFile, chunks: Iterable[bytes | memoryview]) -> None:
        uploads.write(stored.stored_name, chunks, self.folder)

    def read(self, stored_name: str) -> Iterator[bytes]:
        return uploads.read(stored_name, self.folder, CHUNK)

    def path(self, stored_name: str) -> Path | None:
        return uploads.path_of(stored_name, self.folder)

    def remove(self, stored: StoredFile) -> None:
        uploads.remove(stored, self.folder)

    def names(self) -> Iterator[str]:
        return uploads.stored_names(self.folder)

    def stored_before(self, moment: dt.datetime) -> Iterator[str]:
        cutoff = moment.timestamp()
        for name in uploads.stored_names(self.folder):
            path = uploads.path_of(name, self.folder)
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    yield name

    def clear_tmp(self) -> int:
        return uploads.clear_tmp(self.folder)

    def close(self) -> None:
        pass


def blobs_for(settings: Settings) -> Blobs:
    """The blob store that goes with the settings' backend."""
    if settings.engine == "postgres":
        from .postgres.blobs import DatabaseBlobs

        return DatabaseBlobs(settings.database_url)
    return Directory(settings.uploads_dir)
