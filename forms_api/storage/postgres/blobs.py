"""Uploaded files in PostgreSQL (``blobs`` and ``blob_chunks``, migrations/0002).

A file is written in one transaction (its row and every chunk, or nothing), a chunk of at
most 1 MiB per statement, and read back one chunk per query, so a file of any size passes
through this process a megabyte at a time. Plain ``bytea``, no large objects: standard
PostgreSQL that its descendants (openGauss, KingbaseES) share, and ``pg_dump`` takes it with
the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from psycopg_pool import ConnectionPool

from ..blobs import CHUNK
from ..uploads import StoredFile, chunks_of, describe, path_of


class DatabaseBlobs:
    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        self._max_size = max_size
        self._pool: ConnectionPool | None = None

    def _connections(self) -> ConnectionPool:
        if self._pool is None:  # made on first use, in the process that uses it
            self._pool = ConnectionPool(
                self.url, min_size=1, max_size=self._max_size, open=True, kwargs={"autocommit": True}
            )
        return self._pool

    def save(self, data: bytes) -> StoredFile:
        stored = describe(data)
        self.write(stored, chunks_of(data, CHUNK))
        return stored

    def write(self, stored: StoredFile, chunks: Iterable[bytes | memoryview]) -> None:
        path_of(stored.stored_name, Path())  # refuses anything but a stored name
        with self._connections().connection() as connection, connection.transaction():
            connection.execute(
                "INSERT INTO blobs (name, size, sha256, type) VALUES (%s, %s, %s, %s)",
                (stored.stored_name, stored.size, stored.sha256, stored.type),
            )
            for seq, chunk in enumerate(_rechunked(chunks)):
                connection.execute(
                    "INSERT INTO blob_chunks (name, seq, data) VALUES (%s, %s, %s)",
                    (stored.stored_name, seq, bytes(chunk)),
                )

    def read(self, stored_name: str) -> Iterator[bytes]:
        with self._connections().connection() as connection:
            row = connection.execute(
                "SELECT count(c.seq) FROM blobs b LEFT JOIN blob_chunks c USING (name) WHERE b.name = %s"
                " GROUP BY b.name",
                (stored_name,),
            ).fetchone()
        if row is None:
            raise FileNotFoundError(stored_name)
        for seq in range(row[0]):
            with self._connections().connection() as connection:
                (data,) = connection.execute(
                    "SELECT data FROM blob_chunks WHERE name = %s AND seq = %s", (stored_name, seq)
                ).fetchone()
            yield bytes(data)

    def path(self, stored_name: str) -> Path | None:
        return None

    def remove(self, stored: StoredFile) -> None:
        with self._connections().connection() as connection:
            connection.execute("DELETE FROM blobs WHERE name = %s", (stored.stored_name,))

    def names(self) -> Iterator[str]:
        with self._connections().connection() as connection:
            rows = connection.execute("SELECT name FROM blobs ORDER BY name").fetchall()
        return iter([name for (name,) in rows])

    def stored_before(self, moment: dt.datetime) -> Iterator[str]:
        with self._connections().connection() as connection:
            rows = connection.execute(
                "SELECT name FROM blobs WHERE created < %s ORDER BY name", (moment,)
            ).fetchall()
        return iter([name for (name,) in rows])

    def clear_tmp(self) -> int:
        return 0  # a write cut short is a transaction rolled back: nothing is left

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _rechunked(chunks: Iterable[bytes | memoryview]) -> Iterator[bytes]:
    """The bytes of ``chunks`` in pieces of exactly :data:`CHUNK` (the last one shorter)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= CHUNK:
            yield bytes(pending[:CHUNK])
            del pending[:CHUNK]
    if pending:
        yield bytes(pending)
