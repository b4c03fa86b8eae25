"""Reading the records beside a running server, for the commands that report on them
(``ipps report``, ``ipps results export``, ``ipps faq export``).

The embedded store is held by the server's process (a lock), so it is never opened in place:
:func:`forms_api.storage.backup.copy_store` copies it consistently into a temporary folder,
which is opened, read and removed. PostgreSQL is read directly, every query in one
``REPEATABLE READ`` transaction, so they all see the same moment.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .query import Indexer, Query, no_columns


class ReadFailed(Exception):
    """The records could not be read; the message (Chinese) says why and where."""


def read(
    store_dir: Path,
    database_url: str,
    queries: Sequence[Query],
    *,
    columns: Indexer = no_columns,
) -> list[list[dict[str, Any]]]:
    """The documents each of ``queries`` selects (oldest first): from PostgreSQL when
    ``database_url`` is set, else from a consistent copy of the embedded store at ``store_dir``.
    ``columns``: the indexer the queries need (the embedded copy indexes with it)."""
    if database_url:
        return _from_postgres(database_url, queries)
    return _from_copy(Path(store_dir), queries, columns)


def _from_postgres(url: str, queries: Sequence[Query]) -> list[list[dict[str, Any]]]:
    import psycopg
    from psycopg import sql

    from .postgres.store import where

    try:
        with psycopg.connect(url, connect_timeout=10) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            found = []
            with connection.transaction():
                for query in queries:
                    condition, params = where(query)
                    statement = sql.SQL("SELECT document FROM records WHERE {} ORDER BY position").format(
                        condition
                    )
                    found.append([row[0] for row in connection.execute(statement, params)])
            return found
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ReadFailed(f"无法读取数据库中的办件数据（{first}）") from None


def _from_copy(store_dir: Path, queries: Sequence[Query], columns: Indexer) -> list[list[dict[str, Any]]]:
    from .backup import BackupError, copy_store, run_in_own_loop
    from .embedded import Store

    work = Path(tempfile.mkdtemp(prefix="ipps-read-"))
    try:
        copy = work / "store"
        try:
            copy_store(store_dir, copy)
        except BackupError as error:
            raise ReadFailed(str(error)) from None
        except OSError as error:
            raise ReadFailed(f"无法复制办件数据 {store_dir}（{error.strerror or error}）") from None

        async def select() -> list[list[dict[str, Any]]]:
            store = Store(copy, columns=columns)
            try:
                return [
                    [dict(d) for d in await store.snapshot(query, newest_first=False)] for query in queries
                ]
            finally:
                await store.close()

        try:
            found = run_in_own_loop(select())
        except Exception as error:
            raise ReadFailed(f"办件数据 {store_dir} 无法读取（{type(error).__name__}: {error}）") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for documents in found:
        for document in documents:
            document.pop("_keys", None)
    return found
