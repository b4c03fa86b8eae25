"""State every worker and host must see alike, kept in PostgreSQL (migrations/0002).

- :class:`SharedLimiter`: the sliding-window rate limit of :class:`forms_api.storage.limits.RateLimiter`,
  with the hits of each client in one row that a hit locks (``FOR UPDATE``), so that
  concurrent hits through different workers are counted once each and never exceed the limit;
- :class:`SharedFile`: a small document that the embedded backend keeps as a file (the staff
  accounts), read and rewritten under a row lock, for synchronous callers;
- :func:`check_fingerprints`: the first host to start records its keys' fingerprints, every
  later one must hold the same keys.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from ..embedded.store import StoreUnavailable
from ..keys import KeyFileError

FORGET_EVERY = 1_000
"""About once in this many hits, rows of clients idle for a whole window are deleted."""

_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError)


class SharedLimiter:
    """At most ``count`` hits per ``seconds`` from one client, counted across all workers."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        name: str,
        count: int,
        seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pool = pool
        self.name = name
        self.count = count
        self.seconds = seconds
        self.clock = clock

    async def blocked(self, client: str) -> int | None:
        """The seconds ``client`` must wait (its allowance used up), or None; records nothing."""
        now = self.clock()
        try:
            async with self._pool.connection() as connection:
                cursor = await connection.execute(
                    "SELECT hits FROM rate_limits WHERE name = %s AND client = %s", (self.name, client)
                )
                row = await cursor.fetchone()
        except _UNAVAILABLE as error:
            raise StoreUnavailable(str(error).strip().splitlines()[0]) from None
        hits = [t for t in (row[0] if row else []) if t > now - self.seconds]
        return max(1, int(hits[0] + self.seconds - now + 0.999)) if len(hits) >= self.count else None

    async def retry_after(self, client: str) -> int | None:
        """Record a hit from ``client``; None if allowed, else the seconds to wait."""
        now = self.clock()
        try:
            async with self._pool.connection() as connection, connection.transaction():
                await connection.execute(
                    "INSERT INTO rate_limits (name, client, hits, touched) VALUES (%s, %s, '{}', %s)"
                    " ON CONFLICT (name, client) DO NOTHING",
                    (self.name, client, now),
                )
                cursor = await connection.execute(
                    "SELECT hits FROM rate_limits WHERE name = %s AND client = %s FOR UPDATE",
                    (self.name, client),
                )
                (hits,) = await cursor.fetchone()
                hits = [t for t in hits if t > now - self.seconds]
                if len(hits) >= self.count:
                    return max(1, int(hits[0] + self.seconds - now + 0.999))
                hits.append(now)
                await connection.execute(
                    "UPDATE rate_limits SET hits = %s, touched = %s WHERE name = %s AND client = %s",
                    (hits, now, self.name, client),
                )
                if random.randrange(FORGET_EVERY) == 0:
                    await connection.execute(
                        "DELETE FROM rate_limits WHERE name = %s AND touched < %s",
                        (self.name, now - self.seconds),
                    )
        except _UNAVAILABLE as error:
            raise StoreUnavailable(str(error).strip().splitlines()[0]) from None
        return None


class SharedFile:
    """A small document by name in ``shared_files``, for code that is not async (accounts).

    :meth:`read` answers the content and a version that changes with every write;
    :meth:`update` calls ``change`` with the latest content (None when there is none yet)
    while holding the row's lock, and stores what it returns."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self._pool: ConnectionPool | None = None

    def _connections(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.url, min_size=1, max_size=4, open=True, kwargs={"autocommit": True}
            )
        return self._pool

    def read(self) -> tuple[bytes | None, int]:
        with self._connections().connection() as connection:
            row = connection.execute(
                "SELECT content, version FROM shared_files WHERE name = %s", (self.name,)
            ).fetchone()
        return (None, 0) if row is None else (bytes(row[0]), int(row[1]))

    def update(self, change: Callable[[bytes | None], bytes]) -> Any:
        with self._connections().connection() as connection, connection.transaction():
            connection.execute(
                "INSERT INTO shared_files (name, content, version) VALUES (%s, '', 0)"
                " ON CONFLICT (name) DO NOTHING",
                (self.name,),
            )
            content, version = connection.execute(
                "SELECT content, version FROM shared_files WHERE name = %s FOR UPDATE", (self.name,)
            ).fetchone()
            new = change(bytes(content) if version else None)
            connection.execute(
                "UPDATE shared_files SET content = %s, version = %s WHERE name = %s",
                (new, version + 1, self.name),
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


_RECORD = "INSERT INTO key_fingerprints (name, fingerprint) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING"
_RECORDED = "SELECT fingerprint FROM key_fingerprints WHERE name = %s"
_KEY_FILES = {
    "data": "数据加密密钥（secrets/data.key）",
    "session": "会话密钥（secrets/session.key）",
    "signing": "签名密钥（secrets/signing.key）",
}


def _check(name: str, value: str, recorded: str) -> None:
    if recorded != value:
        raise KeyFileError(
            f"本机的{_KEY_FILES.get(name, name)}与数据库中记录的不一致：同一数据库的各台主机必须使用同一密钥，"
            "请从首台主机复制 secrets/ 目录中的密钥文件（保持权限 600）后再启动"
        )


async def check_fingerprints(pool: AsyncConnectionPool, fingerprints: Mapping[str, str]) -> None:
    """Record ``fingerprints`` (key name → fingerprint) where none is recorded yet, and raise
    :class:`KeyFileError` when a recorded one differs: this host holds another key."""
    async with pool.connection() as connection, connection.transaction():
        for name, value in sorted(fingerprints.items()):
            await connection.execute(_RECORD, (name, value))
            (recorded,) = await (await connection.execute(_RECORDED, (name,))).fetchone()
            _check(name, value, recorded)


async def replace_fingerprint(pool: AsyncConnectionPool, name: str, value: str) -> None:
    """Record ``value`` as the fingerprint of key ``name`` (after the key was rotated)."""
    async with pool.connection() as connection:
        await connection.execute(
            "INSERT INTO key_fingerprints (name, fingerprint) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint",
            (name, value),
        )


def check_fingerprints_now(connection: psycopg.Connection[Any], fingerprints: Mapping[str, str]) -> None:
    """:func:`check_fingerprints` on a synchronous connection (``ipps serve`` before it starts)."""
    with connection.transaction():
        for name, value in sorted(fingerprints.items()):
            connection.execute(_RECORD, (name, value))
            (recorded,) = connection.execute(_RECORDED, (name,)).fetchone()
            _check(name, value, recorded)
