"""The store on PostgreSQL: the embedded store's interface, for several workers and hosts.

Every method means what it means on :class:`forms_api.storage.embedded.Store` (the tests run
both); the differences are where the data lives:

- a document is a row of ``records`` with its columns (:mod:`forms_api.storage.query`) beside
  it, all of a document's keys are rows of ``record_keys`` (primary key: no two documents share
  one), and the queue counts are kept in ``counts`` in the same transaction;
- :meth:`write` is one transaction: every insert and update of it, with their counts, commits
  or none does. A taken key is a unique violation, answered as ``KeyError`` as the embedded
  store does; an update reads the document ``FOR UPDATE``, so two workers changing one record
  take turns, and the caller's revision check (:mod:`forms_api.domain.casework`) refuses the
  stale one;
- ``next_number`` counts in ``numbering``, shared by every worker;
- :meth:`snapshot` is read by an export in a forked child: it opens its own connection there
  and streams the rows in one ``REPEATABLE READ`` transaction with a server-side cursor.

psycopg 3 with psycopg_pool: async and sync with one API (the server is async, the forked
export and the command line are not), prepared statements, server-side cursors.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg_pool
from psycopg import errors, sql
from psycopg.types.json import Jsonb, set_json_dumps
from psycopg_pool import AsyncConnectionPool

from forms_api.metrics import STORE_WRITE_SECONDS

from .. import chain
from ..embedded.store import Insert, StoreUnavailable
from ..jobs import DONE, FAILED, QUEUED, RUNNING, Job, JobRun
from ..query import Columns, Cursor, Indexer, Page, Query, no_columns, page_of
from . import jobs as job_sql
from . import migrations
from .shared import SharedLimiter, check_fingerprints, replace_fingerprint

NO_CLOCK = dt.date(1, 1, 1)
"""``counts.due`` of a document without a running clock."""
SLOTS = 8
"""Each count bucket is split over this many rows (see migrations/0001_records.sql)."""
READY_TIMEOUT = 2.0
"""Seconds ``/api/ready`` waits for a connection before saying the database is not there."""
EXPORT_BATCH = 2_000
"""Rows fetched at a time by a snapshot's server-side cursor."""

_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
set_json_dumps(_dumps)

_COLUMNS = ("status", "item", "department", "due", "created", "flag", "target", "actor", "search")
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError)


def _values(columns: Columns) -> tuple[Any, ...]:
    return (
        columns.status,
        columns.item,
        columns.department,
        columns.due,
        columns.created,
        columns.flag,
        columns.target,
        columns.actor,
        columns.text,
    )


def _bucket(columns: Columns) -> tuple[Any, ...]:
    return (columns.status, columns.item, columns.department, columns.flag, columns.due or NO_CLOCK)


def where(query: Query, *, counts: bool = False) -> tuple[sql.Composed, list[Any]]:
    """The conditions of ``query`` on ``records`` (or, with ``counts``, on ``counts``)."""
    parts: list[sql.Composable] = [sql.SQL("kind = %s")]
    params: list[Any] = [query.kind]
    for column, allowed in (
        ("status", query.status),
        ("item", query.items),
        ("department", query.departments),
    ):
        if allowed is not None:
            parts.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
            params.append(sorted(allowed))
    if query.has_due:
        parts.append(sql.SQL("due > %s") if counts else sql.SQL("due IS NOT NULL"))
        if counts:
            params.append(NO_CLOCK)
        if query.due_from is not None:
            parts.append(sql.SQL("due >= %s"))
            params.append(query.due_from)
        if query.due_until is not None:
            parts.append(sql.SQL("due <= %s"))
            params.append(query.due_until)
    if query.flag is not None:
        parts.append(sql.SQL("flag = %s"))
        params.append(query.flag)
    if counts:
        return sql.SQL(" AND ").join(parts), params
    if query.created_from is not None:
        parts.append(sql.SQL("created >= %s"))
        params.append(query.created_from.isoformat())
    if query.created_until is not None:
        parts.append(sql.SQL("created <= %s"))
        params.append(query.created_until.isoformat())
    for column, value in (("target", query.target), ("actor", query.actor)):
        if value:
            parts.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    if query.text:
        if len(query.text) > 1:  # rows holding every two-character piece, from the GIN index
            # The text is a literal, not a parameter: the planner folds ipps_grams() and weighs
            # how common the pieces are (a common one: walk the queue newest first instead).
            parts.append(sql.SQL("grams @> ipps_grams({})").format(sql.Literal(query.text)))
        parts.append(sql.SQL("strpos(search, %s) > 0"))
        params.append(query.text)
    return sql.SQL(" AND ").join(parts), params


def _countable(query: Query) -> bool:
    """Whether the counts table answers ``query`` (its columns are all bucket columns)."""
    return not (query.created_from or query.created_until or query.text or query.target or query.actor)


class PostgresStore:
    """Documents of several kinds in PostgreSQL; open with :meth:`open`."""

    def __init__(self, url: str, pool: AsyncConnectionPool, columns: Indexer) -> None:
        self.url = url
        self._pool = pool
        self._columns = columns

    @classmethod
    async def open(
        cls, url: str, *, columns: Indexer = no_columns, min_size: int = 2, max_size: int = 16
    ) -> PostgresStore:
        """Connect to ``url``; raises :class:`~.migrations.SchemaMismatch` for a database whose
        schema is not this code's, :class:`StoreUnavailable` when it cannot be reached."""
        try:
            async with await psycopg.AsyncConnection.connect(
                url, connect_timeout=10, autocommit=True
            ) as connection:
                migrations.check(await migrations.version_async(connection))
        except _UNAVAILABLE as error:
            raise StoreUnavailable(f"无法连接数据库：{_reason(error)}") from None
        pool = AsyncConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, kwargs={"autocommit": True}
        )
        await pool.open(wait=True, timeout=30)
        return cls(url, pool, columns)

    async def close(self) -> None:
        await self._pool.close()

    async def ready(self) -> str | None:
        """None when the database answers at this code's schema version; else why not."""
        try:
            async with self._pool.connection(timeout=READY_TIMEOUT) as connection:
                migrations.check(await migrations.version_async(connection))
        except migrations.SchemaMismatch as mismatch:
            return str(mismatch)
        except (*_UNAVAILABLE, psycopg_pool.PoolTimeout) as error:
            return f"无法连接数据库：{_reason(error)}"
        return None

    def limiter(self, name: str, count: int, seconds: float) -> SharedLimiter:
        """A rate limit of ``count`` hits per ``seconds`` per client, counted across every
        worker and host of this database."""
        return SharedLimiter(self._pool, name, count, seconds)

    async def check_keys(self, fingerprints: Mapping[str, str]) -> None:
        """:class:`~forms_api.storage.keys.KeyFileError` when this host's keys are not the
        ones the database's first host recorded."""
        await check_fingerprints(self._pool, fingerprints)

    async def replace_key(self, name: str, fingerprint: str) -> None:
        """Record the fingerprint of a rotated key: hosts still holding the old one refuse to start."""
        await replace_fingerprint(self._pool, name, fingerprint)

    async def checkpoint(self) -> None:
        """Nothing to do: every commit is durable in the database itself."""

    # --- reading ------------------------------------------------------------------------------

    async def get(self, key: str) -> dict[str, Any] | None:
        row = await self._one(
            "SELECT r.document FROM record_keys k JOIN records r USING (position) WHERE k.key = %s", (key,)
        )
        return row[0] if row else None

    async def contains(self, key: str) -> bool:
        return await self._one("SELECT 1 FROM record_keys WHERE key = %s", (key,)) is not None

    async def next_number(self, series: str) -> int:
        row = await self._one(
            "INSERT INTO numbering (series, last) VALUES (%s, 1) "
            "ON CONFLICT (series) DO UPDATE SET last = numbering.last + 1 RETURNING last",
            (series,),
        )
        assert row is not None
        return int(row[0])

    async def find(
        self, query: Query, limit: int, *, after: Cursor | None = None, before: Cursor | None = None
    ) -> Page:
        condition, params = where(query)

        async def select(
            limit: int, below: int | None, above: int | None
        ) -> list[tuple[int, dict[str, Any]]]:
            bound, order, extra = sql.SQL(""), sql.SQL("DESC"), []
            if above is not None:
                bound, order, extra = sql.SQL(" AND position > %s"), sql.SQL("ASC"), [above]
            elif below is not None:
                bound, extra = sql.SQL(" AND position < %s"), [below]
            statement = sql.SQL(
                "SELECT position, document FROM records WHERE {}{} ORDER BY position {} LIMIT %s"
            ).format(condition, bound, order)
            return [(int(p), d) for p, d in await self._all(statement, [*params, *extra, limit])]

        return await page_of(select, limit, after, before)

    async def tally(self, queries: Mapping[str, Query]) -> dict[str, int]:
        found = {}
        for name, query in queries.items():
            if _countable(query):
                condition, params = where(query, counts=True)
                statement = sql.SQL("SELECT coalesce(sum(n), 0) FROM counts WHERE {}").format(condition)
            else:
                condition, params = where(query)
                statement = sql.SQL("SELECT count(*) FROM records WHERE {}").format(condition)
            row = await self._one(statement, params)
            found[name] = int(row[0]) if row else 0
        return found

    async def count(self, kind: str) -> int:
        return (await self.tally({kind: Query(kind)}))[kind]

    async def snapshot(self, query: Query, *, newest_first: bool = True) -> Snapshot:
        condition, params = where(query)
        order = sql.SQL("DESC" if newest_first else "ASC")
        statement = sql.SQL("SELECT document::text FROM records WHERE {} ORDER BY position {}").format(
            condition, order
        )
        return Snapshot(self.url, statement, tuple(params))

    async def kinds(self) -> list[str]:
        """The kinds of the documents stored."""
        return [kind for (kind,) in await self._all("SELECT DISTINCT kind FROM records ORDER BY kind", ())]

    def export(self) -> Iterator[Insert]:
        """Every document as the insert that stores it again (its keys included), in the order
        stored, read in one ``REPEATABLE READ`` transaction (a consistent snapshot)."""
        statement = sql.SQL(
            "SELECT r.kind, r.key, r.document::text, array(SELECT k.key FROM record_keys k"
            " WHERE k.position = r.position AND k.key <> r.key ORDER BY k.key) FROM records r"
            " ORDER BY r.position"
        )
        for kind, key, document, unique in Snapshot(self.url, statement, (), document_at=2):
            yield Insert(kind, key, document, tuple(unique))

    def export_jobs(self) -> Iterator[JobRun]:
        """Every job, in the order queued (for ``ipps store copy``)."""
        with psycopg.connect(self.url) as connection:
            for row in connection.execute(job_sql.SELECT_ALL):
                yield job_sql.run_of(row)

    async def import_jobs(self, runs: Sequence[JobRun]) -> None:
        """Store jobs copied from another store as they were there (:meth:`export_jobs`)."""

        async def restore(connection: Any) -> None:
            await job_sql.restore(connection, runs)

        await self._transaction((), (), (), then=restore)

    async def numbering(self) -> dict[str, int]:
        """The last number handed out in each series of receipt numbers."""
        return {
            series: int(last) for series, last in await self._all("SELECT series, last FROM numbering", ())
        }

    async def continue_numbering(self, last: Mapping[str, int]) -> None:
        """Hand out numbers after ``last`` (series → number) from now on."""
        for series, number in sorted(last.items()):
            await self._one(
                "INSERT INTO numbering (series, last) VALUES (%s, %s) ON CONFLICT (series)"
                " DO UPDATE SET last = greatest(numbering.last, EXCLUDED.last) RETURNING last",
                (series, number),
            )

    def documents(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every document of ``kind``, oldest first, read in its own connection."""
        return iter(Snapshot(self.url, *_kind_statement(kind)))

    # --- changing -----------------------------------------------------------------------------

    async def insert(
        self, kind: str, key: str, document: dict[str, Any], unique: tuple[str, ...] = ()
    ) -> None:
        await self.write(inserts=[Insert(kind, key, document, unique)])

    async def update(self, key: str, fields: dict[str, Any]) -> None:
        await self.write(updates=[(key, fields)])

    async def write(
        self,
        *,
        inserts: Sequence[Insert] = (),
        updates: Sequence[tuple[str, dict[str, Any]]] = (),
        jobs: Sequence[Job] = (),
    ) -> None:
        await self._transaction(inserts, updates, jobs)

    async def _transaction(
        self,
        inserts: Sequence[Insert],
        updates: Sequence[tuple[str, dict[str, Any]]],
        jobs: Sequence[Job],
        first: Callable[[Any], Awaitable[bool]] | None = None,
        then: Callable[[Any], Awaitable[None]] | None = None,
    ) -> bool:
        """One transaction: ``first`` (which may decline: nothing is written, False), the
        inserts, updates and jobs with their counts, then ``then``."""
        keys = [k for insert in inserts for k in (insert.key, *insert.unique)]
        if len(set(keys)) != len(keys):
            raise KeyError("duplicate key in one write")
        for _, fields in updates:
            if "_keys" in fields:
                raise ValueError("_keys is the store's own field")
        started = time.perf_counter()
        try:
            async with self._pool.connection() as connection, connection.transaction():
                if first is not None and not await first(connection):
                    return False
                buckets: dict[tuple[Any, ...], int] = {}
                inserts = await _chained(connection, inserts)
                for insert in inserts:
                    await self._insert(connection, insert, buckets)
                for key, fields in updates:
                    await self._update(connection, key, fields, buckets)
                await self._count(connection, buckets)
                await job_sql.queue(connection, jobs)
                if then is not None:
                    await then(connection)
        except errors.UniqueViolation as error:
            raise KeyError(_taken(error, keys)) from None
        except _UNAVAILABLE as error:
            raise StoreUnavailable(_reason(error)) from None
        STORE_WRITE_SECONDS.labels("postgres").observe(time.perf_counter() - started)
        return True

    # --- jobs (forms_api/storage/jobs.py) ------------------------------------------------------

    async def claim(self, worker: str, now: dt.datetime, limit: int, lease: float) -> list[JobRun]:
        try:
            async with self._pool.connection() as connection, connection.transaction():
                return await job_sql.claim(connection, worker, now, limit, lease)
        except _UNAVAILABLE as error:
            raise StoreUnavailable(_reason(error)) from None

    async def finish(
        self,
        run: JobRun,
        now: dt.datetime,
        *,
        note: Mapping[str, Any] | None = None,
        inserts: Sequence[Insert] = (),
        updates: Sequence[tuple[str, dict[str, Any]]] = (),
        jobs: Sequence[Job] = (),
    ) -> bool:
        async def done(connection: Any) -> None:
            await job_sql.settle(connection, run, now, DONE, note=note)

        return await self._transaction(inserts, updates, jobs, first=lambda c: job_sql.own(c, run), then=done)

    async def release(
        self,
        run: JobRun,
        now: dt.datetime,
        error: str,
        retry_at: dt.datetime | None,
        *,
        note: Mapping[str, Any] | None = None,
        inserts: Sequence[Insert] = (),
    ) -> bool:
        outcome = QUEUED if retry_at is not None else FAILED

        async def settled(connection: Any) -> None:
            await job_sql.settle(connection, run, now, outcome, error=error, retry_at=retry_at, note=note)

        return await self._transaction(inserts, (), (), first=lambda c: job_sql.own(c, run), then=settled)

    async def requeue(self, job_id: str, now: dt.datetime, *, inserts: Sequence[Insert] = ()) -> bool:
        return await self._transaction(inserts, (), (), first=lambda c: job_sql.requeue(c, job_id, now))

    async def job(self, job_id: str) -> JobRun | None:
        row = await self._one(job_sql.SELECT_ONE, (job_id,))
        return job_sql.run_of(row) if row else None

    async def jobs_of(self, record: str) -> list[JobRun]:
        return [job_sql.run_of(row) for row in await self._all(job_sql.SELECT_OF_RECORD, (record,))]

    async def failed_jobs(self, limit: int) -> list[JobRun]:
        return [job_sql.run_of(row) for row in await self._all(job_sql.SELECT_FAILED, (limit,))]

    async def job_counts(self) -> dict[str, int]:
        counted = dict(await self._all(job_sql.SELECT_COUNTS, ()))
        return {status: int(counted.get(status, 0)) for status in (QUEUED, RUNNING, FAILED)}

    async def next_job_at(self) -> dt.datetime | None:
        row = await self._one(job_sql.SELECT_NEXT, ())
        return row[0] if row else None

    async def _insert(self, connection: Any, insert: Insert, buckets: dict[tuple[Any, ...], int]) -> None:
        document = json.loads(_dumps(insert.document))  # stored as JSON holds it; TypeError otherwise
        columns = self._columns(document)
        cursor = await connection.execute(
            "INSERT INTO records (kind, key, document, status, item, department, due, created, flag,"
            " target, actor, search, grams) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " ipps_grams(%s)) RETURNING position",
            (insert.kind, insert.key, Jsonb(document), *_values(columns), columns.text),
        )
        position = (await cursor.fetchone())[0]
        for key in (insert.key, *insert.unique):
            await connection.execute(
                "INSERT INTO record_keys (key, position) VALUES (%s, %s)", (key, position)
            )
        slot = position % SLOTS
        bucket = (insert.kind, *_bucket(columns), slot)
        buckets[bucket] = buckets.get(bucket, 0) + 1

    async def _update(
        self, connection: Any, key: str, fields: dict[str, Any], buckets: dict[tuple[Any, ...], int]
    ) -> None:
        cursor = await connection.execute(
            "SELECT r.position, r.kind, r.document FROM record_keys k JOIN records r USING (position)"
            " WHERE k.key = %s FOR UPDATE OF r",
            (key,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise KeyError(key)
        position, kind, document = row
        old = self._columns(document)
        document = json.loads(_dumps({**document, **fields}))
        new = self._columns(document)
        await connection.execute(
            "UPDATE records SET document = %s, status = %s, item = %s, department = %s, due = %s,"
            " created = %s, flag = %s, target = %s, actor = %s, search = %s, grams = ipps_grams(%s)"
            " WHERE position = %s",
            (Jsonb(document), *_values(new), new.text, position),
        )
        if _bucket(old) != _bucket(new):
            slot = position % SLOTS
            for columns, change in ((old, -1), (new, 1)):
                bucket = (kind, *_bucket(columns), slot)
                buckets[bucket] = buckets.get(bucket, 0) + change

    async def _count(self, connection: Any, buckets: dict[tuple[Any, ...], int]) -> None:
        for bucket, change in sorted(buckets.items()):  # one order for every writer: no deadlocks
            if change:
                await connection.execute(
                    "INSERT INTO counts (kind, status, item, department, flag, due, slot, n)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kind, status, item, department,"
                    " flag, due, slot) DO UPDATE SET n = counts.n + EXCLUDED.n",
                    (*bucket, change),
                )

    # --- helpers ------------------------------------------------------------------------------

    async def _one(self, statement: Any, params: Any) -> Any:
        try:
            async with self._pool.connection() as connection:
                cursor = await connection.execute(statement, params)
                return await cursor.fetchone()
        except _UNAVAILABLE as error:
            raise StoreUnavailable(_reason(error)) from None

    async def _all(self, statement: Any, params: Any) -> list[Any]:
        try:
            async with self._pool.connection() as connection:
                cursor = await connection.execute(statement, params)
                return await cursor.fetchall()
        except _UNAVAILABLE as error:
            raise StoreUnavailable(_reason(error)) from None


@dataclass(frozen=True)
class Snapshot:
    """The documents a query selected, read when iterated: in one ``REPEATABLE READ``
    transaction of a connection of its own (made in the process that iterates, such as a
    forked export), a batch at a time from a server-side cursor."""

    url: str
    statement: Any
    params: tuple[Any, ...]
    document_at: int | None = None
    """None: the statement selects one column, the document, and each document is yielded;
    else each row is yielded, with the document at this column."""

    def __iter__(self) -> Iterator[Any]:
        # The statement selects the document as text (``document::text``), parsed here: about
        # 40 % faster than psycopg's jsonb loader for an export of 100,000 (benchmarks/README.md).
        with psycopg.connect(self.url) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with connection.transaction(), connection.cursor(name="ipps_snapshot") as cursor:
                cursor.itersize = EXPORT_BATCH
                cursor.execute(self.statement, self.params)
                at = self.document_at
                for row in cursor:
                    if at is None:
                        yield json.loads(row[0])
                    else:
                        yield (*row[:at], json.loads(row[at]), *row[at + 1 :])


def _kind_statement(kind: str) -> tuple[Any, tuple[Any, ...]]:
    return sql.SQL("SELECT document::text FROM records WHERE kind = %s ORDER BY position ASC"), (kind,)


async def _chained(connection: Any, inserts: Sequence[Insert]) -> Sequence[Insert]:
    """``inserts`` with their audit entries linked onto the chain (:mod:`..chain`), the head's
    row locked until the transaction ends: every worker appends to one chain in one order."""
    if not any(insert.kind == chain.CHAINED for insert in inserts):
        return inserts
    cursor = await connection.execute(
        "SELECT hash FROM chain_heads WHERE kind = %s FOR UPDATE", (chain.CHAINED,)
    )
    head = (await cursor.fetchone())[0]
    linked = []
    for insert in inserts:
        if insert.kind == chain.CHAINED:
            document = json.loads(_dumps(insert.document))
            head = chain.link(document, head)
            insert = Insert(insert.kind, insert.key, document, insert.unique)
        linked.append(insert)
    await connection.execute("UPDATE chain_heads SET hash = %s WHERE kind = %s", (head, chain.CHAINED))
    return linked


def _taken(error: errors.UniqueViolation, keys: list[str]) -> str:
    """Which key a unique violation is about, when the server says (else the first of ``keys``)."""
    detail = getattr(error.diag, "message_detail", None) or ""
    return next((key for key in keys if f"=({key})" in detail), keys[0] if keys else "")


def _reason(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
