"""The embedded store (forms_api/storage/embedded): journal, shards, checkpoints, recovery, the lock.

What both engines share (keys, copies, atomic writes, paging, counts) is tested on both in
test_store_contract.py; this file holds what only the embedded engine has."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.embedded import Insert, Store, StoreLocked
from forms_api.storage.embedded import store as store_module
from forms_api.storage.embedded import writer as writer_module
from forms_api.storage.embedded.journal import Journal, JournalCorrupt
from forms_api.storage.embedded.shards import SHARD_SIZE, write_atomically
from forms_api.storage.embedded.store import StoreUnavailable, probe_lock

ROOT = Path(__file__).resolve().parent.parent
KIND = "application"

# --- helpers ------------------------------------------------------------------------------------


def run(coroutine: Any) -> Any:
    """Run ``coroutine`` to the end in a loop of its own.

    In a thread of its own too: Playwright's sync API (the session's Chromium, once a browser
    test has run) keeps an event loop running in the main thread, and asyncio.run refuses to
    start a second loop in a thread that has one.
    """
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def key(n: int) -> str:
    return f"ZX20261124-{n:06d}"


def document(n: int, **extra: Any) -> dict[str, Any]:
    return {"receipt_no": key(n), "n": n, "status": "submitted", "timeline": [{"event": "收到"}], **extra}


async def insert_many(store: Store, numbers: Iterable[int], kind: str = KIND) -> None:
    """Insert ``document(n)`` under ``key(n)`` for every n, all at once."""
    await asyncio.gather(*(store.insert(kind, key(n), document(n)) for n in numbers))


def abandon(store: Store) -> None:
    """Let go of a store the way a crash would: no checkpoint, the shards stay unwritten.

    Only what the writer already made durable (the journal) remains; the lock is released
    as the kernel would release it for a dead process.
    """
    store._writer.stop()
    store._lock.close()


def contents(folder: Path, kind: str = KIND) -> dict[str, dict[str, Any]]:
    """Open the store at ``folder``, read every document of ``kind`` and close it again."""

    async def read() -> dict[str, dict[str, Any]]:
        store = Store(folder)
        try:
            found = {doc["receipt_no"]: doc for doc in store.documents(kind)}
            assert len(found) == await store.count(kind), "two documents share a receipt number"
            return found
        finally:
            await store.close()

    return run(read())


def segments(folder: Path) -> list[Path]:
    return sorted((folder / "journal").glob("*.log"))


def frames(path: Path) -> list[tuple[int, int, dict[str, Any]]]:
    """Every record of a journal file as (offset, size, record), decoded independently of the
    store: ``<length><crc32>`` little-endian, then the JSON payload."""
    data = path.read_bytes()
    found, offset = [], 0
    while offset < len(data):
        length, crc = struct.unpack_from("<II", data, offset)
        payload = data[offset + 8 : offset + 8 + length]
        assert len(payload) == length and zlib.crc32(payload) == crc, f"damaged record at {offset}"
        found.append((offset, 8 + length, json.loads(payload)))
        offset += 8 + length
    return found


def journal_records(folder: Path) -> list[dict[str, Any]]:
    return [record for path in segments(folder) for _, _, record in frames(path)]


def shard_files(folder: Path) -> list[Path]:
    return sorted((folder / "shards").glob("*.json"))


def shard_documents(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))["documents"]


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def populated(folder: Path, numbers: Iterable[int], *, crash: bool) -> None:
    """A store at ``folder`` holding ``document(n)`` for ``numbers``, closed or crashed."""

    async def fill() -> None:
        store = Store(folder)
        await insert_many(store, numbers)
        if crash:
            abandon(store)
        else:
            await store.close()

    run(fill())


def fail_once(monkeypatch: pytest.MonkeyPatch, name: str, make: Callable[..., Any]) -> dict[str, Any]:
    """Replace ``os.<name>`` by ``make(real, *args)`` while ``switch["armed"]`` is set; the
    replacement disarms itself after one call on the journal's file descriptor."""
    real = getattr(os, name)
    switch: dict[str, Any] = {"armed": False, "fd": None, "calls": 0}

    def replacement(fd: int, *args: Any) -> Any:
        if switch["armed"] and fd == switch["fd"]:
            switch["armed"] = False
            switch["calls"] += 1
            return make(real, fd, *args)
        return real(fd, *args)

    monkeypatch.setattr(os, name, replacement)
    return switch


def failing(error: int) -> Callable[..., Any]:
    def make(real: Callable[..., Any], fd: int, *args: Any) -> Any:
        raise OSError(error, os.strerror(error))

    return make


def half_then(error: int | None) -> Callable[..., Any]:
    """Write half of the data, then fail with ``error`` (or report the short write)."""

    def make(real: Callable[..., Any], fd: int, data: Any) -> Any:
        written = real(fd, bytes(data)[: len(data) // 2])
        if error is not None:
            raise OSError(error, os.strerror(error))
        return written

    return make


CHILD = """
import asyncio, os, sys
from pathlib import Path
from forms_api.storage.embedded import Store

async def worker(store, first, step, limit):
    n = first
    while limit == 0 or n < limit:
        await store.insert("application", f"K{n:06d}", {"receipt_no": f"K{n:06d}", "n": n})
        print(f"K{n:06d}", flush=True)
        n += step

async def main():
    store = Store(Path(sys.argv[1]))
    workers, limit = int(sys.argv[2]), int(sys.argv[3])
    await asyncio.gather(*(worker(store, i, workers, limit) for i in range(workers)))
    os._exit(0)  # no close(): nothing but the journal is on disk

asyncio.run(main())
"""


def child(folder: Path, workers: int, limit: int) -> subprocess.Popen[str]:
    """A process inserting into the store at ``folder``; it prints each key once acknowledged."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), str(workers), str(limit)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


# --- reading and writing ------------------------------------------------------------------------


def test_keys_lists_every_key_taken_by_prefix(tmp_path: Path) -> None:
    """This engine's own listing (its tests and tools use it); the rest of reading and writing
    is the interface both engines share (test_store_contract.py)."""

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(3))
        await store.insert("rating", "PJ-1", {"level": 1}, unique=("rated:" + key(0),))
        assert sorted(store.keys("ZX")) == [key(0), key(1), key(2)]
        assert sorted(store.keys()) == sorted([key(0), key(1), key(2), "PJ-1", "rated:" + key(0)])
        await store.close()

    run(scenario())


def test_a_taken_key_writes_nothing_to_the_journal(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await store.insert(KIND, key(1), document(1))
        before = [path.read_bytes() for path in segments(tmp_path)]

        with pytest.raises(KeyError):
            await store.insert(KIND, key(1), document(1, status="second"))
        with pytest.raises(KeyError):  # also across kinds: keys are global
            await store.insert("rating", key(1), {"level": 2})

        assert [path.read_bytes() for path in segments(tmp_path)] == before
        assert await store.get(key(1)) == document(1)
        assert await store.count(KIND) == 1 and await store.count("rating") == 0
        abandon(store)

    run(scenario())
    assert contents(tmp_path) == {key(1): document(1)}


def test_updates_after_the_last_checkpoint_are_replayed_after_a_crash(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(3))
        await store.update(key(0), {"status": "accepted"})
        await store.checkpoint()
        await store.update(key(0), {"status": "done"})
        await store.update(key(2), {"status": "rejected"})
        abandon(store)

    run(scenario())
    found = contents(tmp_path)
    assert [found[key(n)]["status"] for n in range(3)] == ["done", "submitted", "rejected"]


def test_a_write_of_several_changes_is_one_journal_record_and_survives_a_crash(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(2))
        await store.write(
            inserts=[
                Insert("audit", "AU-1", {"record": key(0)}),
                Insert("audit", "AU-2", {"record": key(1)}),
            ],
            updates=[(key(0), {"status": "accepted"}), (key(1), {"status": "refused"})],
        )
        abandon(store)

    run(scenario())
    records = journal_records(tmp_path)
    assert len(records) == 3 and records[-1]["op"] == "batch" and len(records[-1]["ops"]) == 4
    assert {n: doc["status"] for n, doc in contents(tmp_path).items()} == {
        key(0): "accepted",
        key(1): "refused",
    }
    audit = run(_read_all(tmp_path, "audit"))
    assert sorted(doc["record"] for doc in audit) == [key(0), key(1)]


async def _read_all(folder: Path, kind: str) -> list[dict[str, Any]]:
    store = Store(folder)
    try:
        return list(store.documents(kind))
    finally:
        await store.close()


# --- reopening ----------------------------------------------------------------------------------


@pytest.mark.parametrize("explicit_checkpoint", [True, False])
def test_reopen_after_close_finds_everything(tmp_path: Path, explicit_checkpoint: bool) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(10))
        if explicit_checkpoint:
            await store.checkpoint()
        await store.close()

    run(scenario())
    # close() checkpoints: the shards hold everything, the journal nothing.
    assert manifest(tmp_path) == {"checkpoint": 10}
    assert journal_records(tmp_path) == []
    assert contents(tmp_path) == {key(n): document(n) for n in range(10)}


def test_reopen_after_crash_replays_the_journal(tmp_path: Path) -> None:
    populated(tmp_path, range(10), crash=True)
    assert shard_files(tmp_path) == [] and not (tmp_path / "manifest.json").exists()
    assert [record["seq"] for record in journal_records(tmp_path)] == list(range(1, 11))

    assert contents(tmp_path) == {key(n): document(n) for n in range(10)}


def test_store_keeps_working_across_several_crashes(tmp_path: Path) -> None:
    populated(tmp_path, range(5), crash=True)
    populated(tmp_path, range(5, 10), crash=True)
    populated(tmp_path, range(10, 15), crash=True)

    records = journal_records(tmp_path)
    assert [record["seq"] for record in records] == list(range(1, 16))
    assert len(segments(tmp_path)) == 3  # each start opens a file named after its first record
    assert contents(tmp_path) == {key(n): document(n) for n in range(15)}


def test_every_acknowledged_insert_survives_process_exit_without_close(tmp_path: Path) -> None:
    process = child(tmp_path, workers=1, limit=40)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    acknowledged = out.split()
    assert len(acknowledged) == 40

    found = contents(tmp_path)
    assert set(found) == set(acknowledged)


def test_every_acknowledged_insert_survives_sigkill(tmp_path: Path) -> None:
    process = child(tmp_path, workers=20, limit=0)
    acknowledged = []
    assert process.stdout is not None
    while len(acknowledged) < 300:
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "child ended"
        acknowledged.append(line.strip())
    process.kill()
    rest, _ = process.communicate(timeout=10)
    acknowledged += rest.split()  # printed before the kill: acknowledged too
    assert process.returncode == -9

    found = contents(tmp_path)
    assert set(acknowledged) <= set(found)
    assert all(found[k] == {"receipt_no": k, "n": int(k[1:])} for k in acknowledged)


# --- damaged journals ---------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 3, 8, 12, -1], ids=["all", "3-bytes", "header", "12-bytes", "all-but-1"])
def test_torn_last_record_is_dropped_and_the_rest_kept(tmp_path: Path, keep: int) -> None:
    populated(tmp_path, range(5), crash=True)
    [path] = segments(tmp_path)
    offset, size, last = frames(path)[-1]
    kept = size - 1 if keep == -1 else keep
    with path.open("r+b") as handle:
        handle.truncate(offset + kept)
    lost = last["doc"]["receipt_no"]

    found = contents(tmp_path)
    assert set(found) == {key(n) for n in range(5)} - {lost}
    assert path.stat().st_size == offset  # cut back to the last intact record


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x01",
        b"\x00" * 64,
        struct.pack("<II", 1000, 0) + b"{}",
        struct.pack("<II", 2, 12345) + b"{}",
        struct.pack("<II", 2, zlib.crc32(b"{x")) + b"{x",
    ],
    ids=["1-byte", "zeros", "long-length", "bad-crc", "bad-json"],
)
def test_garbage_after_the_last_record_is_dropped(tmp_path: Path, garbage: bytes) -> None:
    populated(tmp_path, range(5), crash=True)
    [path] = segments(tmp_path)
    size = path.stat().st_size
    with path.open("ab") as handle:
        handle.write(garbage)

    assert contents(tmp_path) == {key(n): document(n) for n in range(5)}
    assert path.stat().st_size == size


def test_records_after_a_cut_tail_are_kept_at_the_next_start(tmp_path: Path) -> None:
    populated(tmp_path, range(5), crash=True)
    [path] = segments(tmp_path)
    with path.open("ab") as handle:
        handle.write(b"\x07\x00\x00\x00torn")
    populated(tmp_path, range(5, 8), crash=True)  # the torn file is now an older one

    assert contents(tmp_path) == {key(n): document(n) for n in range(8)}


def test_damaged_record_inside_the_newest_file_drops_it_and_everything_after(tmp_path: Path) -> None:
    # As designed (package docstring): a damaged record in the newest journal file is taken for
    # the torn end of a crashed write; it is dropped "with everything after it".
    populated(tmp_path, range(5), crash=True)
    [path] = segments(tmp_path)
    records = frames(path)
    offset = records[2][0]
    data = bytearray(path.read_bytes())
    data[offset + 20] ^= 0xFF  # a payload byte: the checksum no longer matches
    path.write_bytes(bytes(data))

    assert set(contents(tmp_path)) == {record["doc"]["receipt_no"] for _, _, record in records[:2]}
    assert path.stat().st_size == offset


def test_damaged_record_in_an_older_journal_file_stops_the_store(tmp_path: Path) -> None:
    populated(tmp_path, range(3), crash=True)
    populated(tmp_path, range(3, 6), crash=True)
    older, newer = segments(tmp_path)
    offset, _, _ = frames(older)[1]
    data = bytearray(older.read_bytes())
    data[offset + 4] ^= 0xFF  # the checksum itself
    older.write_bytes(bytes(data))

    with pytest.raises(JournalCorrupt) as failure:
        Store(tmp_path)
    # A failed start does not keep the folder locked, even while its error is still around
    # (its traceback holds the half-built store).
    assert failure.value.__traceback__ is not None
    probe_lock(tmp_path)
    assert older.read_bytes() == bytes(data)  # left as found, for manual repair
    assert len(frames(newer)) == 3


# --- checkpoints --------------------------------------------------------------------------------


def test_checkpoint_writes_full_shards_and_drops_covered_journal(tmp_path: Path) -> None:
    total = 2 * SHARD_SIZE + 10

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(total))
        [first_segment] = segments(tmp_path)
        await store.checkpoint()

        files = shard_files(tmp_path)
        assert [path.name for path in files] == [f"{KIND}-00000{n}.json" for n in (1, 2, 3)]
        sizes = [len(shard_documents(path)) for path in files]
        assert sizes == [SHARD_SIZE, SHARD_SIZE, 10]
        assert manifest(tmp_path) == {"checkpoint": total}
        assert not first_segment.exists()
        assert [path.name for path in segments(tmp_path)] == [f"{total + 1:012d}.log"]
        assert journal_records(tmp_path) == []
        assert await store.count(KIND) == total
        abandon(store)

    run(scenario())
    found = contents(tmp_path)
    assert found == {key(n): document(n) for n in range(total)}


def test_inserts_after_a_checkpoint_land_in_the_new_journal_file(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(5))
        await store.checkpoint()
        await insert_many(store, range(5, 8))
        abandon(store)

    run(scenario())
    assert [record["seq"] for record in journal_records(tmp_path)] == [6, 7, 8]
    assert contents(tmp_path) == {key(n): document(n) for n in range(8)}


def test_checkpoint_while_inserts_are_in_flight_keeps_their_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_append = Journal.append

    def held(self: Journal, records: list[dict[str, Any]]) -> None:
        gate.wait(timeout=5)
        real_append(self, records)

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(50))
        monkeypatch.setattr(Journal, "append", held)
        inflight = [asyncio.create_task(store.insert(KIND, key(n), document(n))) for n in range(50, 300)]
        await asyncio.sleep(0)  # all queued, none on disk yet
        asyncio.get_running_loop().call_later(0.05, gate.set)
        await store.checkpoint()
        # The shards hold the first 50; the 250 in flight are only in the journal, which stays.
        assert manifest(tmp_path) == {"checkpoint": 50}
        await asyncio.gather(*inflight)
        assert len(journal_records(tmp_path)) == 300
        abandon(store)

    run(scenario())
    assert contents(tmp_path) == {key(n): document(n) for n in range(300)}


def test_crash_between_shards_and_manifest_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = writer_module.write_atomically

    def no_manifest(path: Path, data: bytes) -> None:
        if path.name == "manifest.json":
            raise OSError(errno.EIO, "simulated crash before the manifest")
        real_write(path, data)

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(100))
        await store.checkpoint()  # a good checkpoint: the manifest names record 100
        await insert_many(store, range(100, 300))
        await store.update(key(1), {"status": "accepted"})
        monkeypatch.setattr(writer_module, "write_atomically", no_manifest)
        await store.checkpoint()  # shards written, manifest not: the journal must stay
        monkeypatch.undo()
        abandon(store)

    run(scenario())
    assert manifest(tmp_path) == {"checkpoint": 100}
    assert sum(len(shard_documents(path)) for path in shard_files(tmp_path)) == 300
    assert [record["seq"] for record in journal_records(tmp_path)] == list(range(101, 302))
    # Leftovers of an interrupted write_atomically are ignored.
    (tmp_path / ".manifest.json.tmp").write_bytes(b'{"checkpoint": 99')
    (tmp_path / "shards" / f".{KIND}-000002.json.tmp").write_bytes(b"garbage")

    expected = {key(n): document(n) for n in range(300)}
    expected[key(1)] = document(1, status="accepted")
    assert contents(tmp_path) == expected  # replaying over the newer shards duplicates nothing
    assert manifest(tmp_path) == {"checkpoint": 301}
    assert contents(tmp_path) == expected


def test_failed_checkpoint_is_retried_with_the_next_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = writer_module.write_atomically

    def broken(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "disk full")

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(5))
        await store.insert("rating", "PJ-1", {"receipt_no": "PJ-1"})
        monkeypatch.setattr(writer_module, "write_atomically", broken)
        await store.checkpoint()
        assert shard_files(tmp_path) == []
        monkeypatch.setattr(writer_module, "write_atomically", real_write)
        await insert_many(store, [5])  # changes the application shard only
        await store.checkpoint()  # the rating shard, changed before the failure, is written too
        assert manifest(tmp_path) == {"checkpoint": 7}
        assert journal_records(tmp_path) == []
        assert [len(shard_documents(path)) for path in shard_files(tmp_path)] == [6, 1]
        abandon(store)

    run(scenario())
    assert contents(tmp_path) == {key(n): document(n) for n in range(6)}
    assert contents(tmp_path, "rating") == {"PJ-1": {"receipt_no": "PJ-1"}}


def test_submissions_are_committed_between_a_checkpoints_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = writer_module.write_atomically
    first_started, first_go, second_started, second_go = (threading.Event() for _ in range(4))

    def slow_write(path: Path, data: bytes) -> None:
        if path.name.endswith("000001.json"):
            first_started.set()
            first_go.wait(timeout=10)
        elif path.name.endswith("000002.json"):
            second_started.set()
            second_go.wait(timeout=10)
        real_write(path, data)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        store = Store(tmp_path)
        await insert_many(store, range(SHARD_SIZE + 10))  # two shards to write
        monkeypatch.setattr(writer_module, "write_atomically", slow_write)
        checkpoint = loop.create_task(store.checkpoint())
        await loop.run_in_executor(None, first_started.wait, 10)
        insert = loop.create_task(store.insert(KIND, key(9999), document(9999)))
        await asyncio.sleep(0.05)  # the insert waits behind the first file
        first_go.set()
        await loop.run_in_executor(None, second_started.wait, 10)
        await asyncio.wait_for(insert, timeout=5)  # committed before the second file
        assert not checkpoint.done()
        second_go.set()
        await checkpoint
        abandon(store)

    run(scenario())
    assert manifest(tmp_path) == {"checkpoint": SHARD_SIZE + 10}
    assert [record["doc"]["n"] for record in journal_records(tmp_path)] == [9999]
    expected = {key(n): document(n) for n in [*range(SHARD_SIZE + 10), 9999]}
    assert contents(tmp_path) == expected


def test_close_after_a_failed_checkpoint_tries_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = writer_module.write_atomically

    def broken(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "disk full")

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(3))
        monkeypatch.setattr(writer_module, "write_atomically", broken)
        await store.checkpoint()
        monkeypatch.setattr(writer_module, "write_atomically", real_write)
        await store.close()

    run(scenario())
    assert manifest(tmp_path) == {"checkpoint": 3}
    assert journal_records(tmp_path) == []


@pytest.mark.parametrize("setting", ["CHECKPOINT_RECORDS", "CHECKPOINT_SECONDS"])
def test_checkpoint_starts_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setattr(store_module, setting, 20 if setting == "CHECKPOINT_RECORDS" else 0.0)

    async def scenario() -> None:
        store = Store(tmp_path)
        for n in range(20):
            await store.insert(KIND, key(n), document(n))
        deadline = time.monotonic() + 5
        while not (tmp_path / "manifest.json").exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert (tmp_path / "manifest.json").exists()
        abandon(store)

    run(scenario())
    assert manifest(tmp_path)["checkpoint"] >= 1
    assert contents(tmp_path) == {key(n): document(n) for n in range(20)}


# --- the lock -----------------------------------------------------------------------------------


def test_second_store_on_the_same_folder_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, [1])
        with pytest.raises(StoreLocked):
            Store(tmp_path)
        with pytest.raises(StoreLocked):
            probe_lock(tmp_path)
        assert await store.get(key(1)) == document(1)  # the refused open did not disturb the first
        await store.close()
        probe_lock(tmp_path)
        again = Store(tmp_path)
        assert await again.get(key(1)) == document(1)
        await again.close()

    run(scenario())


def test_store_open_in_another_process_is_refused(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from forms_api.storage.embedded import Store; s = Store(sys.argv[1]); "
            "print('open', flush=True); sys.stdin.read()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreLocked):
            Store(tmp_path)
        with pytest.raises(StoreLocked):
            probe_lock(tmp_path)
    finally:
        holder.communicate(input="", timeout=10)
    probe_lock(tmp_path)  # the lock goes with the process

    async def reopen() -> None:
        store = Store(tmp_path)
        await store.close()

    run(reopen())


# --- group commit -------------------------------------------------------------------------------


def test_500_concurrent_inserts_are_group_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    real_append = Journal.append

    def counting(self: Journal, records: list[dict[str, Any]]) -> None:
        batches.append(len(records))
        real_append(self, records)

    monkeypatch.setattr(Journal, "append", counting)

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(500))
        assert sorted(store.keys()) == [key(n) for n in range(500)]
        assert await store.count(KIND) == 500
        abandon(store)

    run(scenario())
    assert sum(batches) == 500
    assert len(batches) <= 50, f"{len(batches)} fsyncs for 500 inserts"
    records = journal_records(tmp_path)
    assert sorted(record["seq"] for record in records) == list(range(1, 501))
    assert contents(tmp_path) == {key(n): document(n) for n in range(500)}


def test_cancelled_insert_is_still_stored_and_keeps_its_key_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_append = Journal.append

    def slow(self: Journal, records: list[dict[str, Any]]) -> None:
        gate.wait(timeout=5)
        real_append(self, records)

    async def scenario() -> None:
        store = Store(tmp_path)
        monkeypatch.setattr(Journal, "append", slow)
        first = asyncio.create_task(store.insert(KIND, key(1), document(1)))
        await asyncio.sleep(0)  # queued, waiting for the disk
        first.cancel()  # the client went away
        with pytest.raises(asyncio.CancelledError):
            await first
        with pytest.raises(KeyError):  # the first one is still on its way
            await store.insert(KIND, key(1), document(1, status="second"))
        gate.set()
        deadline = time.monotonic() + 5
        while not await store.contains(key(1)) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert await store.get(key(1)) == document(1)
        assert await store.count(KIND) == 1
        abandon(store)

    run(scenario())
    assert contents(tmp_path) == {key(1): document(1)}


# --- the disk refusing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("fsync", failing(errno.EIO)),
        ("write", failing(errno.ENOSPC)),
        ("write", half_then(errno.ENOSPC)),
    ],
    ids=["fsync-fails", "write-fails", "write-fails-halfway"],
)
def test_refused_write_raises_store_unavailable_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, make: Callable[..., Any]
) -> None:
    switch = fail_once(monkeypatch, name, make)

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(3))
        switch["fd"], switch["armed"] = store._journal._fd, True
        with pytest.raises(StoreUnavailable):
            await store.insert(KIND, key(3), document(3, status="first attempt"))
        assert switch["calls"] == 1
        assert not await store.contains(key(3)) and await store.get(key(3)) is None
        assert await store.count(KIND) == 3
        # The store keeps working, and the key is free for a retry.
        await store.insert(KIND, key(3), document(3))
        await insert_many(store, range(4, 6))
        abandon(store)

    run(scenario())
    # Not acknowledged, not stored: the failed record neither comes back nor hides later ones.
    assert contents(tmp_path) == {key(n): document(n) for n in range(6)}


def test_short_write_is_completed_before_acknowledging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch = fail_once(monkeypatch, "write", half_then(None))

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(2))
        switch["fd"], switch["armed"] = store._journal._fd, True
        await store.insert(KIND, key(2), document(2))
        assert switch["calls"] == 1
        await insert_many(store, range(3, 5))
        abandon(store)

    run(scenario())
    assert contents(tmp_path) == {key(n): document(n) for n in range(5)}


def test_journal_that_cannot_be_repaired_refuses_writes_until_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = fail_once(monkeypatch, "write", half_then(errno.EIO))
    truncate = fail_once(monkeypatch, "ftruncate", failing(errno.EIO))

    async def scenario() -> None:
        store = Store(tmp_path)
        await insert_many(store, range(2))
        fd = store._journal._fd
        write["fd"] = truncate["fd"] = fd
        write["armed"] = truncate["armed"] = True
        with pytest.raises(StoreUnavailable):
            await store.insert(KIND, key(2), document(2))
        assert truncate["calls"] == 1
        with pytest.raises(StoreUnavailable):  # nothing may follow the damaged record
            await store.insert(KIND, key(3), document(3))
        assert await store.count(KIND) == 2
        await store.close()

    run(scenario())
    assert contents(tmp_path) == {key(n): document(n) for n in range(2)}

    populated(tmp_path, [7], crash=True)  # restarted: the damaged tail was cut, writes work
    assert set(contents(tmp_path)) == {key(0), key(1), key(7)}


# --- write_atomically ---------------------------------------------------------------------------


def test_write_atomically_replaces_content_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    write_atomically(target, b"first")
    assert target.read_bytes() == b"first"
    write_atomically(target, b"second, longer than the first")
    assert target.read_bytes() == b"second, longer than the first"
    write_atomically(target, b"3")
    assert target.read_bytes() == b"3"
    assert [path.name for path in tmp_path.iterdir()] == ["manifest.json"]


def test_write_atomically_keeps_the_old_content_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "manifest.json"
    write_atomically(target, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
