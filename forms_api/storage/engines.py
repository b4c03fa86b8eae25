"""Which store the service opens: the embedded one under the data directory (the default), or
PostgreSQL when ``database_url`` is set. Both answer the same interface (see
:class:`forms_api.storage.embedded.Store`); the tests run the store and service suites on both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms_api.settings import Settings

from .query import Indexer, no_columns


async def open_store(settings: Settings, *, columns: Indexer = no_columns, freeze_gc: bool = False) -> Any:
    """The store the settings name, open. PostgreSQL: raises
    :class:`~.postgres.migrations.SchemaMismatch` for a database whose schema is not this
    code's, :class:`~.embedded.store.StoreUnavailable` when it cannot be reached."""
    if settings.engine == "postgres":
        from .postgres.store import PostgresStore

        return await PostgresStore.open(settings.database_url, columns=columns)
    from .backup import finish_interrupted_restore
    from .embedded import Store
    from .embedded.store import probe_lock

    if settings.store_dir.is_dir():
        probe_lock(settings.store_dir)  # a server holds it: leave its data directory alone
    finish_interrupted_restore(settings.data_dir)
    return Store(settings.store_dir, freeze_gc=freeze_gc, columns=columns)


def check_before_serving(settings: Settings, fingerprints: Mapping[str, str]) -> None:
    """What must hold before ``ipps serve`` starts: the embedded store not open in another
    process (:class:`~.embedded.StoreLocked`); a PostgreSQL database reachable, at this
    code's schema version (:class:`~.postgres.migrations.SchemaMismatch`), and holding the
    ``fingerprints`` of this host's keys (:class:`~.keys.KeyFileError` for other keys)."""
    if settings.engine == "embedded":
        from .embedded.store import probe_lock

        probe_lock(settings.store_dir)
        return
    import psycopg

    from .embedded.store import StoreUnavailable
    from .postgres import migrations
    from .postgres.shared import check_fingerprints_now

    try:
        with psycopg.connect(settings.database_url, connect_timeout=10) as connection:
            migrations.check(migrations.version_of(connection))
            check_fingerprints_now(connection, fingerprints)
    except psycopg.OperationalError as error:
        raise StoreUnavailable(f"无法连接数据库：{str(error).strip().splitlines()[0]}") from None
