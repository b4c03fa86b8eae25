"""The job queue on PostgreSQL with two ``ipps worker`` processes and a local SMTP server.

1. Drain: ``--notices`` answered complaints are stored, then one notice job each is queued
   in one write ("at once"); two workers send them to an aiosmtpd server in this process.
   When ``--stop-after`` have arrived, the mail server is stopped for ``--outage`` seconds and
   started again on the same port: the notices failing meanwhile are retried with the
   workers' back-off (the defaults: 30 s, doubling). Reported: the time until every notice
   has arrived, how many messages arrived, how many distinct Message-IDs, and the jobs'
   attempts.
2. Pick-up: ``--pickups`` times, a complaint and its notice job are written in one store
   write (as a staff action writes them), at random intervals; reported is the time from the
   write's commit until the mail server has the notice (the job's pick-up, by polling every
   0.5 s, plus its send), p50 / p99.

The cluster is durable (fsync, synchronous commit and full page writes on), under
``WORK/pg`` (tests/pg_cluster.py's options, run as the ``postgres`` system user).

    .venv/bin/python -m benchmarks.bench_jobs --notices 10000 --outage 60 --work /tmp/bench-jobs

Needs PostgreSQL's server binaries (Debian's ``postgresql``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from benchmarks.bench_api import ROOT, free_port
from benchmarks.bench_postgres import KeptCluster

SENDER = "noreply@ipps.example.cn"


class Counting:
    """An aiosmtpd handler keeping each message's Message-ID and arrival time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: list[tuple[str, str, float]] = []
        """(Message-ID, first recipient, time.time())."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        head = content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        message_id = next(
            (
                line.split(":", 1)[1].strip()
                for line in head.splitlines()
                if line.lower().startswith("message-id:")
            ),
            "",
        )
        with self.lock:
            self.arrived.append((message_id, envelope.rcpt_tos[0], time.time()))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)


def complaint(number: str, n: int, at: str) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "receipt_no": number,
        "type": "投诉",
        "status": "已答复",
        "name": "周敏",
        "email": f"person{n}@example.cn",
        "subject": "窗口等候时间过长",
        "message": "排队一个多小时。",
        "submitted_at": at,
        "reply": {"text": "已增开两个综合窗口。", "at": at},
        "timeline": [{"at": at, "state": "已答复", "note": "已答复"}],
        "revision": 1,
    }


def notice(number: str) -> Any:
    from forms_api.storage.jobs import Job

    payload = {"receipt_no": number, "event": "replied", "channel": "email", "problems": [], "reason": ""}
    return Job(f"notice:{number}:1:email", "notice", payload, dt.datetime.now(dt.UTC), record=number)


async def open_store(url: str) -> Any:
    from forms_api.domain.columns import columns_of
    from forms_api.storage.postgres.store import PostgresStore

    return await PostgresStore.open(url, columns=columns_of, min_size=1, max_size=4)


async def fill(url: str, count: int) -> list[str]:
    from forms_api.storage.embedded import Insert

    store = await open_store(url)
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
    numbers = [f"TS20261207-{n:06d}" for n in range(1, count + 1)]
    try:
        for start in range(0, count, 500):
            batch = numbers[start : start + 500]
            await store.write(
                inserts=[Insert("complaint", k, complaint(k, start + i, at)) for i, k in enumerate(batch)]
            )
    finally:
        await store.close()
    return numbers


async def queue_at_once(url: str, numbers: list[str]) -> float:
    store = await open_store(url)
    try:
        started = time.perf_counter()
        await store.write(jobs=[notice(number) for number in numbers])
        return time.perf_counter() - started
    finally:
        await store.close()


async def job_summary(url: str) -> dict[str, Any]:
    import psycopg

    async with await psycopg.AsyncConnection.connect(url) as connection:
        statuses = dict(
            await (
                await connection.execute(
                    "SELECT status, count(*) FROM jobs WHERE task = 'notice' GROUP BY status"
                )
            ).fetchall()
        )
        attempts = dict(
            await (
                await connection.execute(
                    "SELECT attempts, count(*) FROM jobs WHERE task = 'notice' GROUP BY attempts ORDER BY attempts"
                )
            ).fetchall()
        )
        workers = await (await connection.execute(
            "SELECT h->>'worker', count(*) FROM jobs, jsonb_array_elements(history) h"
            " WHERE task = 'notice' AND h->>'outcome' = 'done' GROUP BY 1"
        )).fetchall()  # fmt: skip
    return {"statuses": statuses, "attempts": attempts, "done_by_worker": sorted(n for _, n in workers)}


@contextlib.contextmanager
def workers(env: dict[str, str], count: int, log_dir: Path) -> Any:
    processes = []
    try:
        for n in range(count):
            log = (log_dir / f"worker-{n}.log").open("wb")
            process = subprocess.Popen(
                [sys.executable, "-m", "forms_api.cli", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
            )
            processes.append((process, log_dir / f"worker-{n}.log"))
        for process, path in processes:
            deadline = time.monotonic() + 60
            while "已启动" not in path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(path.read_text(errors="replace"))
                time.sleep(0.05)
        yield
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)


def drain(args: argparse.Namespace, url: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    numbers = asyncio.run(fill(url, args.notices))
    handler, port = Counting(), int(env["IPPS_SMTP_PORT"])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    result: dict[str, Any] = {"notices": args.notices}
    try:
        with workers(env, 2, work):
            started = time.perf_counter()
            result["queue_write_s"] = round(asyncio.run(queue_at_once(url, numbers)), 2)
            while handler.count() < args.stop_after:
                time.sleep(0.05)
            controller.stop()
            stopped = time.perf_counter()
            result["stopped_after_s"] = round(stopped - started, 1)
            time.sleep(args.outage)
            controller = Controller(handler, hostname="127.0.0.1", port=port)
            controller.start()
            result["outage_s"] = round(time.perf_counter() - stopped, 1)
            while len({m for m, _, _ in handler.arrived}) < args.notices:
                if time.perf_counter() - started > args.outage + 1800:
                    raise SystemExit("not drained within half an hour after the outage")
                time.sleep(0.1)
            result["drain_s"] = round(time.perf_counter() - started, 1)
            time.sleep(2)  # a duplicate would arrive now
            result.update(asyncio.run(job_summary(url)))
    finally:
        controller.stop()
    ids = [m for m, _, _ in handler.arrived]
    result["arrived"] = len(ids)
    result["distinct_message_ids"] = len(set(ids))
    result["recipients_distinct"] = len({to for _, to, _ in handler.arrived})
    result["duplicates"] = sum(n - 1 for n in Counter(ids).values() if n > 1)
    return result


def pickup(args: argparse.Namespace, url: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    from forms_api.storage.embedded import Insert

    handler, port = Counting(), int(env["IPPS_SMTP_PORT"])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    written: dict[str, float] = {}
    rng = random.Random(7)

    async def write_them() -> None:
        store = await open_store(url)
        at = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
        try:
            for n in range(args.pickups):
                number = f"TS20261208-{n + 1:06d}"
                document = complaint(number, 900_000 + n, at)
                await store.write(inserts=[Insert("complaint", number, document)], jobs=[notice(number)])
                written[f"person{900_000 + n}@example.cn"] = time.time()
                await asyncio.sleep(rng.uniform(0.05, 0.4))
        finally:
            await store.close()

    try:
        with workers(env, 2, work):
            time.sleep(2)  # both idle, polling
            asyncio.run(write_them())
            deadline = time.monotonic() + 60
            while handler.count() < args.pickups and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        controller.stop()
    delays = sorted((arrived - written[to]) * 1000 for _, to, arrived in handler.arrived if to in written)
    at = lambda share: round(delays[min(len(delays) - 1, int(len(delays) * share))], 1)  # noqa: E731
    return {
        "pickups": args.pickups,
        "arrived": len(delays),
        "p50_ms": round(statistics.median(delays), 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(delays[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--stop-after", type=int, default=3_000, help="notices arrived before the outage")
    parser.add_argument("--outage", type=float, default=60, help="seconds the mail server is down")
    parser.add_argument("--pickups", type=int, default=200)
    parser.add_argument("--work", type=Path, help="the cluster and the workers' logs (kept)")
    args = parser.parse_args()
    work = (args.work or Path(f"/tmp/ipps-bench-jobs-{os.getpid()}")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    cluster = KeptCluster(work / "pg")
    cluster.start()
    results: dict[str, Any] = {}
    try:
        for part, measure in (("drain", drain), ("pickup", pickup)):
            name = f"jobs_{part}"
            cluster.admin(f'DROP DATABASE IF EXISTS "{name}"')
            cluster.admin(f'CREATE DATABASE "{name}"')
            url = cluster.url(name)
            from forms_api.storage.postgres import migrations

            migrations.upgrade(url)
            data = work / f"data-{part}"
            shutil.rmtree(data, ignore_errors=True)
            env = {
                **os.environ,
                "IPPS_DATABASE_URL": url,
                "IPPS_DATA_DIR": str(data),
                "IPPS_CATALOG_DIR": str(ROOT / "catalog"),
                "IPPS_SMTP_HOST": "127.0.0.1",
                "IPPS_SMTP_PORT": str(free_port()),
                "IPPS_SMTP_SECURITY": "none",
                "IPPS_SMTP_SENDER": SENDER,
            }
            print(f"measuring {part} …", flush=True)
            results[part] = measure(args, url, env, work)
            print(json.dumps(results[part], ensure_ascii=False, default=str), flush=True)
    finally:
        cluster.stop()
    d, p = results["drain"], results["pickup"]
    print(
        f"\n{d['notices']:,} notices queued in one write ({d['queue_write_s']} s), mail server stopped after "
        f"{d['stopped_after_s']} s for {d['outage_s']} s: all arrived after {d['drain_s']} s; "
        f"{d['arrived']:,} messages, {d['distinct_message_ids']:,} distinct Message-IDs, "
        f"{d['duplicates']} duplicates; jobs {d['statuses']}, attempts {d['attempts']}, done per worker {d['done_by_worker']}"
    )
    print(
        f"job written with a change → its notice at the mail server, two workers, {p['arrived']}/{p['pickups']}: "
        f"p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms, p99 {p['p99_ms']} ms, max {p['max_ms']} ms"
    )


if __name__ == "__main__":
    main()
