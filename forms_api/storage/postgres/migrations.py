"""Versioned schema changes: plain SQL files a reviewer can read, applied by ``ipps db upgrade``.

Each file in ``migrations/`` is named ``NNNN_what.sql``; its number is the schema version it
brings the database to. :func:`upgrade` applies every file above the database's version, each
in its own transaction together with the row that records it in ``ipps_schema``, so a failed
file leaves the database at the version before it; two upgrades at once take turns on a lock
of ``ipps_schema``. A server refuses to start on a database whose version is not
:data:`LATEST` (:func:`check`), naming the command to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        if match := _NAME.fullmatch(entry.name):
            found.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1, 2, 3, …: {[m.name for m in found]}")
    return found


LATEST = len(migrations())
"""The schema version this code needs."""

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS ipps_schema (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class SchemaMismatch(Exception):
    """The database's schema is not the one this code needs; the message (Chinese) says what to do."""


_EXISTS = "SELECT to_regclass('ipps_schema') IS NOT NULL"
_CURRENT = "SELECT coalesce(max(version), 0) FROM ipps_schema"


def version_of(connection: Any) -> int | None:
    """The database's schema version, or None when it has never been upgraded."""
    if not connection.execute(_EXISTS).fetchone()[0]:
        return None
    return connection.execute(_CURRENT).fetchone()[0]


async def version_async(connection: Any) -> int | None:
    """:func:`version_of` for an async connection (the server checks at start)."""
    if not (await (await connection.execute(_EXISTS)).fetchone())[0]:
        return None
    return (await (await connection.execute(_CURRENT)).fetchone())[0]


def upgrade(url: str) -> list[str]:
    """Apply what the database at ``url`` lacks; the names of the files applied."""
    import psycopg

    applied = []
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(_VERSION_TABLE)
        for migration in migrations():
            with connection.transaction():
                connection.execute("LOCK TABLE ipps_schema IN EXCLUSIVE MODE")
                if version_of(connection) >= migration.version:
                    continue
                connection.execute(migration.sql)
                connection.execute(
                    "INSERT INTO ipps_schema (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
                applied.append(migration.name)
    return applied


def check(version: int | None) -> None:
    """Raise :class:`SchemaMismatch` unless ``version`` is :data:`LATEST`."""
    if version is None:
        raise SchemaMismatch("数据库尚未建立办件数据表，请先运行 ipps db upgrade")
    if version < LATEST:
        raise SchemaMismatch(
            f"数据库结构为第 {version} 版，本程序需要第 {LATEST} 版，请先运行 ipps db upgrade（升级前请备份）"
        )
    if version > LATEST:
        raise SchemaMismatch(
            f"数据库结构为第 {version} 版，比本程序所知的第 {LATEST} 版新，请使用与之相符的新版本程序"
        )
