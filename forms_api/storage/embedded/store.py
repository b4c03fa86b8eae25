"""The store as the application uses it: insert, update and read documents by key.

Everything here runs on the event loop's thread; only the journal and checkpoint I/O runs
on the writer thread (see the package docstring for the design). Changes are applied to the
shards in the order of their sequence numbers, when the writer reports them on disk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import gc
import json
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms_api.metrics import STORE_WRITE_SECONDS

from .. import chain
from ..jobs import DONE, FAILED, QUEUED, RUNNING, Job, JobRun, attempt_entry, stamp
from ..limits import RateLimiter
from ..query import Cursor, Indexer, Page, Query, no_columns, page_of
from . import jobs as job_book
from .index import KindIndex
from .journal import Journal, decode, encode
from .shards import Shard
from .writer import Checkpoint, Commit, Writer

CHECKPOINT_RECORDS = 5000
"""Journal records after which the changed shards are written out and the journal shortened."""
CHECKPOINT_SECONDS = 30.0
"""…or the time since the first change after the last checkpoint."""

NUMBERED = re.compile(r"([A-Z]{2}\d{8})-(\d{6})")
"""A key numbered in a series (``ZX20261124-000123``): where ``next_number`` continues from."""

KEYS = "_keys"
"""Where a document keeps its keys, so that the index can be rebuilt from the shards."""


class StoreLocked(OSError):
    """Another process has the data directory open."""


def _lock(folder: Path) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / "lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreLocked(f"数据目录 {folder} 正被另一个服务进程使用") from None
    return handle


def probe_lock(folder: Path) -> None:
    """Raise :class:`StoreLocked` if another process has the store open."""
    _lock(folder).close()


class StoreUnavailable(Exception):
    """The journal could not be written: the change was not stored."""


@dataclass(frozen=True)
class Insert:
    """A document to insert with :meth:`Store.write`: its kind, key and further unique keys."""

    kind: str
    key: str
    document: dict[str, Any]
    unique: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    kind: str
    shard: int
    doc_id: int
    position: int
    """In the kind's :class:`~.index.KindIndex`: the order it was stored in."""


class Store:
    """Documents of several kinds, each under a unique key (a receipt number) and optional
    further unique keys (e.g. ``rated:ZX20261124-000001``, one rating per receipt)."""

    def __init__(self, folder: Path, *, freeze_gc: bool = False, columns: Indexer = no_columns) -> None:
        """Open (or create) the store in ``folder``.

        ``columns``: what :meth:`find` and :meth:`tally` select on, computed for every
        document when it is written (and for every stored one at start); the service passes
        :func:`forms_api.domain.columns.columns_of`.

        ``freeze_gc``: for a long-running server. The documents live in memory, and Python's
        cyclic garbage collector would otherwise walk all of them every so often: with
        100,000 documents a full collection stops the process for a quarter of a second.
        After loading and after each checkpoint, what exists is moved out of the collector's
        sight (``gc.freeze``); documents have no reference cycles to collect.
        """
        self.folder = Path(folder)
        self.freeze_gc = freeze_gc
        self._columns = columns
        self._kinds: dict[str, KindIndex] = {}
        self._lock = _lock(self.folder)
        self._shards_dir = self.folder / "shards"
        self._shards_dir.mkdir(exist_ok=True)
        self._manifest = self.folder / "manifest.json"
        self._journal = Journal(self.folder / "journal")
        self._shards: dict[str, list[Shard]] = {}
        self._index: dict[str, Location] = {}
        self._numbers: dict[str, int] = {}
        """The last number of each series, from the numbered keys stored (``next_number``)."""
        self._pending: set[str] = set()
        self._chain_head = chain.GENESIS
        """The hash of the last audit entry stored (:mod:`..chain`)."""
        self._chain_lock = asyncio.Lock()
        self._refused: str | None = None
        """Why the last write was refused by the disk (None once one succeeds again)."""
        self._jobs = job_book.JobBook()
        self._seq = 0
        """The last sequence number handed out."""
        self._applied = 0
        """Every change up to this sequence number is in the shards (in memory)."""
        self._changes_since_checkpoint = 0
        self._first_change_at: float | None = None
        self._checkpoint_task: asyncio.Task[None] | None = None
        try:
            self._load()
            self._jobs.orphan_running()  # this process owns the store: their runner is gone
            self._writer = Writer(self._journal)
            self._writer.start(self._seq + 1)
            if freeze_gc:
                gc.collect()
                _freeze_long_lived()
        except BaseException:  # e.g. JournalCorrupt: do not keep the folder locked
            self._journal.close()
            self._lock.close()
            raise

    # --- reading ------------------------------------------------------------------------------

    async def get(self, key: str) -> dict[str, Any] | None:
        """A copy of the document stored under ``key`` (or one of its further keys)."""
        location = self._index.get(key)
        if location is None:
            return None
        return _public(self._kinds[location.kind].documents[location.position])

    async def contains(self, key: str) -> bool:
        """Whether ``key`` (or a further key such as ``rated:…``) is taken."""
        return key in self._index

    def keys(self, prefix: str = "") -> list[str]:
        """Every key taken (for this engine's own tests and tools)."""
        return [key for key in self._index if key.startswith(prefix)]

    async def next_number(self, series: str) -> int:
        """The next number of ``series`` (``ZX20261124``): one more than the last handed out
        or stored as a key ``<series>-<number>``, so numbering continues after a restart."""
        number = self._numbers.get(series, 0) + 1
        self._numbers[series] = number
        return number

    def documents(self, kind: str) -> Iterator[dict[str, Any]]:
        """Copies of every document of ``kind``, oldest first (for reading a copy of the store)."""
        index = self._kinds.get(kind)
        for document in index.documents if index is not None else ():
            yield _public(document)

    async def find(
        self, query: Query, limit: int, *, after: Cursor | None = None, before: Cursor | None = None
    ) -> Page:
        """A page of at most ``limit`` copies of the documents ``query`` selects, newest first:
        the first page, the one after ``after`` (older) or the one before ``before`` (newer)."""
        index = self._kinds.get(query.kind)
        if index is None:
            return Page()

        async def select(
            limit: int, below: int | None, above: int | None
        ) -> list[tuple[int, dict[str, Any]]]:
            positions = index.select(query, limit, below=below, above=above)
            return [(p, _public(index.documents[p])) for p in positions]

        return await page_of(select, limit, after, before)

    async def tally(self, queries: Mapping[str, Query]) -> dict[str, int]:
        """How many documents each of ``queries`` selects, by the same names."""
        counts = {}
        for name, query in queries.items():
            index = self._kinds.get(query.kind)
            counts[name] = index.count(query) if index is not None else 0
        return counts

    async def snapshot(self, query: Query, *, newest_first: bool = True) -> list[dict[str, Any]]:
        """The stored documents ``query`` selects, as they are now, for reading in another
        thread (an export): the store never changes a stored document in place, so these stay
        whole and unchanged whatever is written meanwhile. They carry the store's own key
        field (:data:`KEYS`); read them, never change them."""
        index = self._kinds.get(query.kind)
        if index is None:
            return []
        positions = index.select(query, len(index))
        if not newest_first:
            positions.reverse()
        return [index.documents[p] for p in positions]

    async def count(self, kind: str) -> int:
        index = self._kinds.get(kind)
        return len(index) if index is not None else 0

    # --- moving everything (ipps store copy, backups) ------------------------------------------

    async def kinds(self) -> list[str]:
        """The kinds of the documents stored (jobs are not documents to the caller)."""
        return sorted(kind for kind, index in self._kinds.items() if len(index) and kind != job_book.KIND)

    def export_jobs(self) -> Iterator[JobRun]:
        """Every job, in the order queued (for ``ipps store copy``)."""
        index = self._kinds.get(job_book.KIND)
        for document in list(index.documents) if index is not None else ():
            yield job_book.run_of(document)

    async def import_jobs(self, runs: Sequence[JobRun]) -> None:
        """Store jobs copied from another store as they were there (:meth:`export_jobs`)."""
        await self.write(
            inserts=[Insert(job_book.KIND, run.id, job_book.document_from_run(run)) for run in runs]
        )

    def export(self) -> Iterator[Insert]:
        """Every document as the insert that stores it again (its keys included), kind by kind,
        oldest first: as it is when called (documents are never changed in place)."""
        listed = [
            (kind, list(index.documents))
            for kind, index in sorted(self._kinds.items())
            if kind != job_book.KIND  # jobs go by export_jobs: another engine keeps them apart
        ]
        for kind, documents in listed:
            for document in documents:
                keys = document[KEYS]
                yield Insert(kind, keys[0], _public(document), tuple(keys[1:]))

    async def numbering(self) -> dict[str, int]:
        """The last number handed out in each series of receipt numbers."""
        return dict(self._numbers)

    async def continue_numbering(self, last: Mapping[str, int]) -> None:
        """Hand out numbers after ``last`` (series → number) from now on. This store derives
        its numbering from the keys it holds, so after a restart numbering continues from
        the stored keys; numbers handed out but never stored may then be handed out again,
        which is harmless, as nobody was ever given them in a receipt."""
        for series, number in last.items():
            self._numbers[series] = max(self._numbers.get(series, 0), number)

    # --- changing -----------------------------------------------------------------------------

    async def insert(
        self, kind: str, key: str, document: dict[str, Any], unique: tuple[str, ...] = ()
    ) -> None:
        """Store ``document`` under ``key``; returns once it is on disk.

        Raises ``KeyError`` if ``key`` or one of ``unique`` is taken, :class:`StoreUnavailable`
        if the disk refused the write.
        """
        await self.write(inserts=[Insert(kind, key, document, unique)])

    async def update(self, key: str, fields: dict[str, Any]) -> None:
        """Change fields of the document stored under ``key``; returns once it is on disk."""
        await self.write(updates=[(key, fields)])

    async def write(
        self,
        *,
        inserts: Sequence[Insert] = (),
        updates: Sequence[tuple[str, dict[str, Any]]] = (),
        jobs: Sequence[Job] = (),
    ) -> None:
        """Insert and update several documents, and queue jobs, at once: one journal record, so
        after a crash either all of the changes are there or none (a record change, its audit
        entry and the notice it calls for). A job whose id is stored already is left out.

        Raises ``KeyError`` for a key taken (or unknown, for an update), ``ValueError`` for a
        field the store keeps for itself; nothing is written then.

        Audit entries are chained (:mod:`..chain`): writes that hold some take turns until each
        is durable, so the chain's head only ever moves to an entry that is stored.
        """
        if any(insert.kind == chain.CHAINED for insert in inserts):
            async with self._chain_lock:
                await self._write(inserts, updates, jobs, chained=True)
        else:
            await self._write(inserts, updates, jobs, chained=False)

    async def _write(
        self,
        inserts: Sequence[Insert],
        updates: Sequence[tuple[str, dict[str, Any]]],
        jobs: Sequence[Job],
        *,
        chained: bool,
    ) -> None:
        if jobs:
            now = stamp(dt.datetime.now(dt.UTC))
            fresh = {job.id: job for job in jobs if job.id not in self._index and job.id not in self._pending}
            inserts = [
                *inserts,
                *(Insert(job_book.KIND, job.id, job_book.document_of(job, now)) for job in fresh.values()),
            ]
        keys = [k for insert in inserts for k in (insert.key, *insert.unique)]
        taken = [k for k in keys if k in self._index or k in self._pending]
        if taken or len(set(keys)) != len(keys):
            raise KeyError(taken[0] if taken else "duplicate key in one write")
        for key, fields in updates:
            if key not in self._index:
                raise KeyError(key)
            if KEYS in fields:
                raise ValueError(f"{KEYS} is the store's own field")
        operations: list[dict[str, Any]] = []
        head = self._chain_head
        for insert in inserts:
            shard = self._current_shard(insert.kind)
            # Taken now, so that the next insert of the batch gets the next id (or shard). A
            # write refused below leaves an unused id behind: harmless, ids only need be unique.
            doc_id = shard.allocate()
            document = {**insert.document, KEYS: [insert.key, *insert.unique]}
            if chained and insert.kind == chain.CHAINED:
                head = chain.link(document, head)
            operations.append(
                {
                    "op": "insert",
                    "kind": insert.kind,
                    "shard": shard.number,
                    "doc_id": doc_id,
                    "doc": document,
                }
            )
        operations += [{"op": "update", "key": key, "fields": fields} for key, fields in updates]
        if not operations:  # only jobs, all of them stored already
            return
        if len(operations) == 1:
            record = {"seq": self._seq + 1, **operations[0]}
        else:
            record = {"seq": self._seq + 1, "op": "batch", "ops": operations}
        frame = encode(record)  # TypeError for a value JSON cannot hold
        self._seq += 1
        await self._commit(frame, keys)

    # --- jobs (forms_api/storage/jobs.py) ------------------------------------------------------

    async def claim(self, worker: str, now: dt.datetime, limit: int, lease: float) -> list[JobRun]:
        taken = self._jobs.take(stamp(now), limit)
        if not taken:
            return []
        until = stamp(now + dt.timedelta(seconds=lease))
        updates = [
            (job_id, {"status": RUNNING, "attempts": self._job(job_id)["attempts"] + 1, "worker": worker,
                      "lease_until": until})
            for job_id in taken
        ]  # fmt: skip
        try:
            await self.write(updates=updates)
        except BaseException:
            for job_id in taken:  # back in the book as their documents still are
                self._jobs.note(self._job(job_id))
            raise
        return [job_book.run_of(self._job(job_id)) for job_id in taken]

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
        current = self._own(run)
        if current is None:
            return False
        done = {
            "status": DONE,
            "finished_at": stamp(now),
            "lease_until": None,
            "history": [*current["history"], attempt_entry(run, now, DONE, **(note or {}))],
        }
        await self.write(inserts=inserts, updates=[*updates, (run.id, done)], jobs=jobs)
        return True

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
        current = self._own(run)
        if current is None:
            return False
        outcome = QUEUED if retry_at is not None else FAILED
        fields: dict[str, Any] = {
            "status": outcome,
            "last_error": error,
            "worker": "",
            "lease_until": None,
            "history": [*current["history"], attempt_entry(run, now, outcome, error, **(note or {}))],
        }
        if retry_at is not None:
            fields["run_at"] = stamp(retry_at)
        else:
            fields["finished_at"] = stamp(now)
        await self.write(inserts=inserts, updates=[(run.id, fields)])
        return True

    async def requeue(self, job_id: str, now: dt.datetime, *, inserts: Sequence[Insert] = ()) -> bool:
        current = self._job(job_id) if job_id in self._index else None
        if current is None or current.get("status") != FAILED:
            return False
        fields = {"status": QUEUED, "run_at": stamp(now), "attempts": 0, "finished_at": None}
        await self.write(inserts=inserts, updates=[(job_id, fields)])
        return True

    async def job(self, job_id: str) -> JobRun | None:
        document = await self.get(job_id)
        return job_book.run_of(document) if document and "job_id" in document else None

    async def jobs_of(self, record: str) -> list[JobRun]:
        """The jobs about ``record``, in the order queued."""
        return [job_book.run_of(self._job(job_id)) for job_id in self._jobs.of_record(record)]

    async def failed_jobs(self, limit: int) -> list[JobRun]:
        """Failed jobs, newest first."""
        return [job_book.run_of(self._job(job_id)) for job_id in self._jobs.failed()[:limit]]

    async def job_counts(self) -> dict[str, int]:
        return self._jobs.counts()

    async def next_job_at(self) -> dt.datetime | None:
        return self._jobs.next_at()

    def _job(self, job_id: str) -> dict[str, Any]:
        location = self._index[job_id]
        return self._kinds[location.kind].documents[location.position]

    def _own(self, run: JobRun) -> dict[str, Any] | None:
        """The job's document if it is still this run's (else another took it over)."""
        current = self._job(run.id)
        mine = current["status"] == RUNNING and current["attempts"] == run.attempts
        return current if mine and current["worker"] == run.worker else None

    async def ready(self) -> str | None:
        """None when a submission would be stored now; else why not (Chinese, for operators)."""
        if not self._writer.alive:
            return "数据写入线程已停止，请重启服务"
        if self._refused is not None:
            return f"最近一次写入被磁盘拒绝：{self._refused}"
        return None

    def limiter(self, name: str, count: int, seconds: float) -> RateLimiter:
        """A rate limit of ``count`` hits per ``seconds`` per client, kept in this process
        (the only one that serves this store)."""
        return RateLimiter(count, seconds)

    async def check_keys(self, fingerprints: Mapping[str, str]) -> None:
        """Nothing to check: one host holds both the keys and the store."""

    async def replace_key(self, name: str, fingerprint: str) -> None:
        """Nothing to record (see :meth:`check_keys`)."""

    async def checkpoint(self) -> None:
        """Write the changed shards and the manifest; then the journal up to them can go."""
        if self._checkpoint_task is None or self._checkpoint_task.done():
            self._checkpoint_task = asyncio.get_running_loop().create_task(self._write_checkpoint())
        await asyncio.shield(self._checkpoint_task)

    async def close(self) -> None:
        """Write everything to the shards and stop the writer."""
        if self._changes_since_checkpoint:
            await self.checkpoint()
        self._writer.stop()
        self._lock.close()

    # --- internals ----------------------------------------------------------------------------

    def _current_shard(self, kind: str) -> Shard:
        shards = self._shards.setdefault(kind, [])
        if not shards or shards[-1].full:
            shards.append(Shard(kind, len(shards) + 1, self._shards_dir))
        return shards[-1]

    def _shard(self, location: Location) -> Shard:
        return self._shards[location.kind][location.shard - 1]

    async def _commit(self, frame: bytes, keys: list[str]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        future.add_done_callback(_retrieve)  # nobody may be waiting any more: see below
        self._pending.update(keys)

        def done(error: BaseException | None) -> None:  # called on the writer thread
            loop.call_soon_threadsafe(self._committed, frame, keys, future, error)

        started = time.perf_counter()
        self._writer.submit(Commit(frame, done))
        await asyncio.shield(future)  # a client that goes away does not undo a commit
        STORE_WRITE_SECONDS.labels("embedded").observe(time.perf_counter() - started)

    def _committed(
        self,
        frame: bytes,
        keys: list[str],
        future: asyncio.Future[None],
        error: BaseException | None,
    ) -> None:
        # The keys stay taken until the change is applied or has failed, even if the request
        # that made it went away meanwhile.
        self._pending.difference_update(keys)
        record = decode(frame)  # a copy: the caller's objects are never the stored ones
        self._applied = record["seq"]
        if error is not None:
            self._refused = str(error)
            future.set_exception(StoreUnavailable(str(error)))
            return
        self._refused = None
        self._apply(record)
        self._changes_since_checkpoint += 1
        if self._first_change_at is None:
            self._first_change_at = time.monotonic()
        future.set_result(None)
        if self._checkpoint_due():
            asyncio.get_running_loop().create_task(self.checkpoint())

    def _apply(self, record: dict[str, Any]) -> None:
        if record["op"] == "batch":
            for operation in record["ops"]:
                self._apply(operation)
        elif record["op"] == "insert":
            kind, document = record["kind"], record["doc"]
            shards = self._shards.setdefault(kind, [])
            while len(shards) < record["shard"]:
                shards.append(Shard(kind, len(shards) + 1, self._shards_dir))
            shard = shards[record["shard"] - 1]
            existing = self._index.get(document[KEYS][0])
            if existing is not None:  # replayed over a checkpoint that holds it already
                shard.put(record["doc_id"], document)
                self._kinds[kind].replace(existing.position, document, self._columns(document))
                return
            shard.put(record["doc_id"], document)
            position = self._kinds.setdefault(kind, KindIndex()).add(document, self._columns(document))
            location = Location(kind, record["shard"], record["doc_id"], position)
            for key in document[KEYS]:
                self._index[key] = location
                self._count_number(key)
            if kind == job_book.KIND:
                self._jobs.note(document)
            elif kind == chain.CHAINED and "hash" in document:
                self._chain_head = document["hash"]
        else:
            location = self._index[record["key"]]
            index = self._kinds[location.kind]
            document = {**index.documents[location.position], **record["fields"]}  # copy on write
            self._shard(location).put(location.doc_id, document)
            index.replace(location.position, document, self._columns(document))
            if location.kind == job_book.KIND:
                self._jobs.note(document)

    def _count_number(self, key: str) -> None:
        if (match := NUMBERED.fullmatch(key)) is not None:
            series, number = match[1], int(match[2])
            if number > self._numbers.get(series, 0):
                self._numbers[series] = number

    def _checkpoint_due(self) -> bool:
        if self._checkpoint_task is not None and not self._checkpoint_task.done():
            return False
        if self._changes_since_checkpoint >= CHECKPOINT_RECORDS:
            return True
        started = self._first_change_at
        return started is not None and time.monotonic() - started >= CHECKPOINT_SECONDS

    async def _write_checkpoint(self) -> None:
        if not self._changes_since_checkpoint:
            return
        # Every shard written holds at least the changes up to ``applied``: a change applied
        # while the shards are serialized, one by one, may be in a shard too, and is then
        # replayed over it after a crash, to the same result.
        applied = self._applied
        changes, first_change_at = self._changes_since_checkpoint, self._first_change_at
        self._changes_since_checkpoint = 0
        self._first_change_at = None
        files = []
        for shard in [s for shards in self._shards.values() for s in shards if s.storage.dirty]:
            files.append((shard.storage.path, shard.storage.serialize()))
            await asyncio.sleep(0)  # requests are served between shards
        manifest = json.dumps({"checkpoint": applied}).encode("utf-8")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BaseException | None] = loop.create_future()

        def done(error: BaseException | None) -> None:  # called on the writer thread
            loop.call_soon_threadsafe(future.set_result, error)

        # Changes numbered from next_seq are submitted after this job, so they go to the new
        # journal file; everything before it, to the old ones.
        next_seq = self._seq + 1
        self._writer.submit(Checkpoint(files, self._manifest, manifest, applied, next_seq, done))
        if await future is not None:  # the journal still has everything: try again later
            for path, _ in files:
                self._shard_at(path).storage.dirty = True
            self._changes_since_checkpoint += changes
            self._first_change_at = first_change_at
        elif self.freeze_gc:
            _freeze_long_lived()

    def _shard_at(self, path: Path) -> Shard:
        kind, _, number = path.stem.rpartition("-")
        return self._shards[kind][int(number) - 1]

    def _load(self) -> None:
        checkpoint = 0
        if self._manifest.exists():
            checkpoint = json.loads(self._manifest.read_text(encoding="utf-8"))["checkpoint"]
        for path in sorted(self._shards_dir.glob("*.json")):
            kind, _, number = path.stem.rpartition("-")
            shards = self._shards.setdefault(kind, [])
            while len(shards) < int(number):
                shards.append(Shard(kind, len(shards) + 1, self._shards_dir))
        for kind, shards in self._shards.items():
            index = self._kinds.setdefault(kind, KindIndex())
            for shard in shards:
                for doc_id, document in shard.in_order():
                    position = index.add(document, self._columns(document))
                    location = Location(kind, shard.number, doc_id, position)
                    for key in document.get(KEYS, []):
                        self._index[key] = location
                        self._count_number(key)
                    if kind == job_book.KIND:
                        self._jobs.note(document)
                    elif kind == chain.CHAINED and "hash" in document:
                        self._chain_head = document["hash"]
        self._seq = self._applied = checkpoint
        for record in self._journal.replay(checkpoint):
            self._apply(record)
            self._seq = self._applied = record["seq"]
            self._changes_since_checkpoint += 1


def _public(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored document without the store's own field (JSON is copied fastest by
    JSON: several times faster than ``copy.deepcopy``)."""
    result = json.loads(json.dumps(document, ensure_ascii=False))
    result.pop(KEYS, None)
    return result


def _freeze_long_lived() -> None:
    """Collect the young generations, then exempt every object alive from future collections."""
    gc.collect(1)
    gc.freeze()


def _retrieve(future: asyncio.Future[None]) -> None:
    """Mark the outcome of a commit as seen, so that a failure nobody awaits any more (the
    client went away) is not reported as "exception was never retrieved"."""
    if not future.cancelled():
        future.exception()
