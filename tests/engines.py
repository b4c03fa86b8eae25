"""Both storage engines behind one fixture: a test that takes ``engine`` runs once with the
embedded store and once with PostgreSQL (a throwaway cluster the session starts, one
database per test, emptied where a test asks for it)."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.query import Indexer, no_columns
from tests.pg_cluster import Cluster, find_binaries

ENGINES = ("embedded", "postgres")
_databases = itertools.count(1)


class Engine:
    """Opens stores of one engine on one place (a folder, a database), as often as asked."""

    def __init__(self, name: str, folder: Path, url: str | None) -> None:
        self.name, self.folder, self.url = name, folder, url

    async def open(self, columns: Indexer = no_columns) -> Any:
        if self.name == "embedded":
            from forms_api.storage.embedded import Store

            return Store(self.folder, columns=columns)
        from forms_api.storage.postgres.store import PostgresStore

        assert self.url is not None
        return await PostgresStore.open(self.url, columns=columns, min_size=1, max_size=4)

    def empty(self) -> None:
        """Start again from an empty store (between examples of a property test)."""
        if self.name == "embedded":
            self.folder = Path(tempfile.mkdtemp(dir=self.folder.parent))
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(
                "TRUNCATE records, record_keys, counts, numbering, rate_limits, shared_files,"
                " key_fingerprints, blobs, blob_chunks, jobs RESTART IDENTITY"
            )
            connection.execute("UPDATE chain_heads SET hash = repeat('0', 64)")


def pg_cluster_fixture() -> Iterator[Cluster | None]:
    if find_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries are missing; .ci/run installs Debian's postgresql")
        yield None
        return
    with Cluster.started() as cluster:
        yield cluster


def engine_for(name: str, cluster: Cluster | None, tmp_path: Path) -> Engine:
    if name == "embedded":
        return Engine(name, tmp_path / "store", None)
    if cluster is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install Debian's postgresql"
        )
    from forms_api.storage.postgres.migrations import upgrade

    url = cluster.create_database(f"t{os.getpid()}_{next(_databases)}")
    upgrade(url)
    return Engine(name, tmp_path / "store", url)
