"""Documents in small TinyDB tables (shards), written to disk atomically at checkpoints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from .journal import fsync_directory

SHARD_SIZE = 250
"""Documents per shard: a checkpoint rewrites every shard a change touched, so small files
keep a checkpoint's cost proportional to what changed, not to what is stored."""

TABLE = "documents"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_directory(path.parent)


class ShardStorage(Storage):
    """TinyDB storage kept in memory; :meth:`flush` writes it to its file atomically.

    TinyDB hands its storage the whole database after every change; here that only keeps a
    reference, and the journal, not this file, makes the change durable.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, Any] | None = None
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        if self._data is None and self.path.exists():
            self._data = json.loads(self.path.read_text(encoding="utf-8"))
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self.dirty = True

    def serialize(self) -> bytes:
        """The shard's content as it stands, for a checkpoint to write (marks it clean)."""
        self.dirty = False
        return json.dumps(self._data or {}, ensure_ascii=False).encode("utf-8")


class Shard:
    """One TinyDB database of at most ``SHARD_SIZE`` documents of one kind.

    The file is a TinyDB database (``{"documents": {"<doc id>": {...}}}``; ``TinyDB(path)``
    opens it), but the store reads and writes the documents in memory directly rather than
    through TinyDB's tables, which copy every document they hand out. A stored document is
    never changed in place: an update stores a new dict (copy on write), so a reader holding
    a document (an export in a worker thread) keeps seeing it whole, as it was.

    Document ids are handed out by :meth:`allocate` when a change is queued, before it is
    committed, and never reused, so that a change that fails cannot collide with one that
    succeeds after it.
    """

    def __init__(self, kind: str, number: int, folder: Path) -> None:
        self.kind = kind
        self.number = number
        self.storage = ShardStorage(folder / f"{kind}-{number:06d}.json")
        data = self.storage.read()
        if data is None:
            data = {}
            self.storage.write(data)
            self.storage.dirty = False
        self.documents: dict[str, dict[str, Any]] = data.setdefault(TABLE, {})
        self.next_id = max((int(doc_id) for doc_id in self.documents), default=0) + 1

    @property
    def full(self) -> bool:
        return self.next_id > SHARD_SIZE

    def allocate(self) -> int:
        doc_id = self.next_id
        self.next_id += 1
        return doc_id

    def put(self, doc_id: int, document: dict[str, Any]) -> None:
        """Store ``document`` as ``doc_id`` (journal replay is idempotent)."""
        self.documents[str(doc_id)] = document
        self.storage.dirty = True
        self.next_id = max(self.next_id, doc_id + 1)

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, doc_id: int) -> dict[str, Any] | None:
        return self.documents.get(str(doc_id))

    def in_order(self) -> list[tuple[int, dict[str, Any]]]:
        """``(doc id, document)`` in the order they were stored."""
        return sorted(
            ((int(doc_id), doc) for doc_id, doc in self.documents.items()), key=lambda pair: pair[0]
        )
