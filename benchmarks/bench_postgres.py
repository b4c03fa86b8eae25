"""The PostgreSQL backend at 1,000 / 100,000 / 1,000,000 stored consultations.

For each size a database is filled once (kept in ``--work`` between runs) and every run
measures a copy of it (``CREATE DATABASE … TEMPLATE``), so the filled data stay as they were:

- start: from launching ``ipps serve`` until ``/api/health`` answers, and the server's RSS;
- ``GET /staff/`` (the workbench with every queue's count), the consultation queue, and a
  staff search by subject, one that matches (``q=质押``) and one that matches nothing, both
  in the queue of unanswered consultations (few rows) and in the queue of answered ones
  (nearly every row: the worst case), p50/p95 of sequential requests by a supervisor;
- public ``POST /api/consultations`` loaded by wrk (``--connections`` clients) against one
  ``ipps serve`` with ``--workers N`` for each N of ``--workers`` (skipped, with the reason,
  when this ``ipps serve`` has no ``--workers``), every acknowledged record counted after;
- anchors: the same durable single-row insert (one INSERT per transaction) by plain
  ``sqlite3`` (WAL, ``synchronous=FULL``) and by plain psycopg against the same cluster
  (``synchronous_commit`` on), and a queue count (``count(*)`` over the status index) by both.

The cluster is durable (fsync, synchronous commit and full page writes on) and belongs to the
``postgres`` system user (``tests/pg_cluster.py``); its data directory is ``WORK/pg``.

How the store is filled. One consultation is submitted through the real
:class:`~forms_api.domain.submissions.Service` (real encryption of the phone number, real
lookup-code hash); every other record is that document with its own receipt number (numbered
per day as the service numbers them), day and time (spread over 1,000 days up to today),
name, phone (encrypted with the data key, one nonce each), lookup code, item, subject and
message, taken through the real workflow (``workflow.apply``: assigned to a department,
answered, some marked as FAQ candidates) as far as its age makes likely. The rows are
COPYed into ``records``, ``record_keys``, ``counts`` and ``numbering`` with the columns of
:func:`forms_api.domain.columns.columns_of`, at schema version 2 (the last whose records
carry their search text), and ``ipps db upgrade``'s migrations bring the database to this
code's version afterwards. Then every queue's count is checked three ways: the service's
counts, ``count(*)`` over records, and the reference :meth:`Query.matches` over the rows.

    .venv/bin/python -m benchmarks.bench_postgres --sizes 1000 100000 1000000 --work /tmp/bench-pg

Needs PostgreSQL's server binaries and wrk (Debian packages ``postgresql`` and ``wrk``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as dt
import json
import os
import pwd
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.bench_api import BODY, ROOT, free_port, minimal_site, server_log, started_badly, wrk
from benchmarks.bench_staff import PASSWORD, Browser, export_under_load, percentiles, rss_mb, timed
from tests.pg_cluster import ROLE, find_binaries

FILL_VERSION = 2
"""The schema version the fill writes (records with their ``search`` column); later
migrations are applied to the filled database as ``ipps db upgrade`` would."""
DAYS = 1_000
"""Submissions are spread over this many days up to today."""
SEED = 13
CLUSTER_SETTINGS = {
    "shared_buffers": "2GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "maintenance_work_mem": "512MB",
}
"""Beside tests/pg_cluster.py's durable options: a server sized for the machine (24 GiB)."""

SUBJECTS = [
    "专利质押需要哪些材料",
    "商标权质押登记办理流程",
    "知识产权质押融资贴息怎么申请",
    "发明专利申请费用减缴",
    "实用新型专利多久能授权",
    "商标注册被驳回怎么办",
    "软件著作权登记需要多长时间",
    "作品著作权登记材料清单",
    "专利年费滞纳金怎么计算",
    "地理标志产品保护申请",
    "商标续展的期限",
    "专利权转让登记手续",
    "专利侵权纠纷如何调解",
    "高价值专利培育项目申报",
    "知识产权维权援助申请条件",
    "专利优先审查推荐",
    "集成电路布图设计登记",
    "海外知识产权纠纷应对",
    "商标许可备案需要什么",
    "专利导航项目咨询",
    "数据知识产权登记",
    "知识产权贯标认证补助",
    "专利代理机构执业许可",
    "展会知识产权保护",
]
"""Three in 24 mention 质押 (pledge): the search that matches finds about one row in eight."""
MESSAGES = [
    "我公司有两件发明专利，想办理质押登记，请问需要准备哪些材料？办理时限多久？",
    "请问这个事项可以在网上办理吗？需要到窗口提交纸质材料吗？",
    "我们是小微企业，想了解相关的费用减免政策和申请条件，谢谢。",
    "去年提交的申请一直没有结果，想问一下目前的进度和后续需要做什么。",
    "请问办理这项业务需要本人到场吗？委托代理机构办理需要什么手续？",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞晓宇浩然思雨欣怡子涵梓轩"
NEW_QUERY = "consult_new"
DONE_QUERY = "consult_replied"


# --- the cluster, kept in WORK/pg ---------------------------------------------------------------


class KeptCluster:
    """A durable cluster whose data directory outlives the run (tests/pg_cluster.py's options)."""

    def __init__(self, root: Path) -> None:
        binaries = find_binaries()
        if binaries is None:
            raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")
        self.root, self.binaries, self.port = root, binaries, free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self._as, *command], capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            log = (
                (self.root / "log").read_text(errors="replace")[-2000:]
                if (self.root / "log").exists()
                else ""
            )
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}{log}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            self._run(
                str(self.binaries / "initdb"), "-D", str(self.data), "-U", ROLE, "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
            "max_connections": "200",
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
            **CLUSTER_SETTINGS,
        }
        flags = " ".join(f"-c {name}={value}" for name, value in options.items())
        self._run(
            str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
            "-w", "-t", "300", "-o", flags, "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str, params: Any = None) -> list[Any]:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


# --- making the records -------------------------------------------------------------------------


class _Capture:
    """Stands in for the store while one real consultation is submitted."""

    def __init__(self) -> None:
        self.inserted: list[dict[str, Any]] = []

    async def next_number(self, series: str) -> int:
        return 1

    async def insert(
        self, kind: str, key: str, document: dict[str, Any], unique: tuple[str, ...] = ()
    ) -> None:
        self.inserted.append(document)


class Maker:
    """Consultations as the service stores them, from one submitted through the service."""

    def __init__(self, data_dir: Path, today: dt.date) -> None:
        from forms_api.domain.casework import _changes
        from forms_api.domain.submissions import Service, item_ref
        from forms_api.domain.workflow import Actor
        from forms_api.settings import Settings
        from forms_api.storage.crypto import Vault
        from generator.catalog import load_catalog

        settings = Settings(data_dir=data_dir, catalog_dir=ROOT / "catalog")
        self.vault = Vault.open(settings.key_path)
        self.catalog = load_catalog(settings.catalog_dir)
        capture = _Capture()
        self.service = Service(settings, self.catalog, capture, self.vault)  # type: ignore[arg-type]
        asyncio.run(self.service.submit_consultation(BODY, "网站"))
        self.template = capture.inserted[0]
        replaced = {"receipt_no", "lookup", "submitted_at", "name", "phone_enc", "phone_masked", "item",
                    "subject", "message", "reply_due", "reply_due_provisional", "timeline", "channel"}  # fmt: skip
        missing = replaced - set(self.template)
        assert not missing, f"the service's consultation has changed shape: {missing}"
        self.items = [
            None,
            None,
            *(item_ref((slug, item)) for slug, item in sorted(self.catalog.items.items())),
        ]
        self.departments = sorted(self.catalog.departments)
        self.reply_days = self.catalog.platform.settings.consultation_reply_days
        self.acceptor = Actor("bench-acceptor", "acceptor")
        self.handlers = {d: Actor(f"bench-{d}", "handler", frozenset({d})) for d in self.departments}
        self.supervisor = Actor("bench-supervisor", "supervisor")
        self.changes = _changes
        self.today = today
        self._due: dict[dt.date, Any] = {}
        self._tz = dt.timezone(dt.timedelta(hours=8))

    def _reply_due(self, day: dt.date) -> Any:
        if day not in self._due:
            from generator import workdays

            self._due[day] = workdays.add_working_days(day, self.reply_days)
        return self._due[day]

    def _act(
        self, record: dict[str, Any], action: str, actor: Any, payload: dict[str, Any], at: dt.datetime
    ) -> dict[str, Any]:
        from forms_api.domain import workflow

        outcome = workflow.apply(
            record, action, actor, payload, at, None, departments=self.catalog.departments
        )
        return {**record, **self.changes(record, action, outcome, [])}

    def make(self, rng: random.Random, receipt_no: str, submitted: dt.datetime) -> dict[str, Any]:
        from forms_api.storage.crypto import new_lookup_code

        due = self._reply_due(submitted.date())
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        record = copy.deepcopy(self.template)
        record.update(
            receipt_no=receipt_no,
            lookup=self.vault.code_hash(new_lookup_code()),
            submitted_at=submitted.isoformat(timespec="seconds"),
            channel=rng.choice(("网站", "网站", "接口")),
            name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            **self.service._phone(phone),
            item=rng.choice(self.items),
            subject=rng.choice(SUBJECTS),
            message=rng.choice(MESSAGES),
            reply_due=due.date.isoformat(),
            reply_due_provisional=due.provisional,
        )
        record["timeline"][0]["at"] = record["submitted_at"]
        age = (self.today - submitted.date()).days
        # recent ones are waiting or in hand; of the old ones a few were never answered
        fate = rng.random()
        if age <= 7:
            assigned, replied = fate < 0.7, fate < 0.25 + age * 0.08
        else:
            assigned, replied = fate < 0.997, fate < 0.995
        now = dt.datetime.now(self._tz)
        at = submitted
        if assigned:
            at = min(at + dt.timedelta(hours=rng.uniform(0.2, 20)), now)
            department = rng.choice(self.departments)
            record = self._act(record, "assign", self.acceptor, {"department": department}, at)
            if replied:
                at = min(at + dt.timedelta(hours=rng.uniform(1, 60)), now)
                text = "您好，所需材料和办理流程请见事项页面，如有疑问请致电服务窗口。"
                record = self._act(record, "reply", self.handlers[department], {"text": text}, at)
                if rng.random() < 0.01:
                    at = min(at + dt.timedelta(hours=1), now)
                    record = self._act(record, "mark_faq", self.supervisor, {}, at)
        return record


def submission_times(size: int, today: dt.date, rng: random.Random) -> list[dt.datetime]:
    """``size`` moments over the last :data:`DAYS` days, oldest first, in working hours."""
    tz = dt.timezone(dt.timedelta(hours=8))
    first = today - dt.timedelta(days=DAYS - 1)
    latest = dt.datetime.now(tz) - dt.timedelta(minutes=5)
    moments = []
    for i in range(size):
        day = first + dt.timedelta(days=i * DAYS // size)
        moment = dt.datetime.combine(day, dt.time(8), tz) + dt.timedelta(seconds=rng.randrange(10 * 3600))
        moments.append(min(moment, latest))
    moments.sort()
    return moments


# --- filling a database -------------------------------------------------------------------------


def apply_migrations(url: str, upto: int) -> None:
    """What ``ipps db upgrade`` does, stopping at version ``upto``."""
    import psycopg

    from forms_api.storage.postgres import migrations

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(migrations._VERSION_TABLE)
        for migration in migrations.migrations():
            if migration.version > upto:
                break
            with connection.transaction():
                connection.execute(migration.sql)
                connection.execute(
                    "INSERT INTO ipps_schema (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )


def fill(cluster: KeptCluster, size: int, data_dir: Path) -> dict[str, Any]:
    import psycopg

    from forms_api.domain.columns import columns_of
    from forms_api.domain.queues import QUEUES
    from forms_api.domain.submissions import now
    from forms_api.storage.postgres import migrations
    from forms_api.storage.postgres.store import NO_CLOCK, SLOTS

    name = f"fill_{size}"
    cluster.admin(f'DROP DATABASE IF EXISTS "{name}"')
    cluster.admin(f'CREATE DATABASE "{name}"')
    url = cluster.url(name)
    apply_migrations(url, FILL_VERSION)
    started = time.perf_counter()
    today = now().date()
    rng = random.Random(SEED)
    maker = Maker(data_dir, today)
    queues = {q.name: q.query(today) for q in QUEUES.values() if q.kind == "consultation"}
    expected: Counter[str] = Counter()
    buckets: Counter[tuple[Any, ...]] = Counter()
    numbering: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    keys: list[tuple[str, int]] = []  # one COPY at a time on a connection: record_keys after records
    with psycopg.connect(url) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        secondary = connection.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'records'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
        ).fetchall()
        for index, _ in secondary:  # built again after the COPY, from their own definitions
            connection.execute(f'DROP INDEX "{index}"')
        cursor = connection.cursor()
        with cursor.copy(
            "COPY records (position, kind, key, document, status, item, department, due, created, flag,"
            " target, actor, search) FROM STDIN"
        ) as records:
            for position, submitted in enumerate(submission_times(size, today, rng), start=1):
                series = f"ZX{submitted.strftime('%Y%m%d')}"
                numbering[series] += 1
                receipt_no = f"{series}-{numbering[series]:06d}"
                document = maker.make(rng, receipt_no, submitted)
                document = json.loads(json.dumps(document, ensure_ascii=False))  # as stored
                columns = columns_of(document)
                records.write_row(
                    (position, "consultation", receipt_no, json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                     columns.status, columns.item, columns.department, columns.due, columns.created, columns.flag,
                     columns.target, columns.actor, columns.text)
                )  # fmt: skip
                keys.append((receipt_no, position))
                buckets[
                    ("consultation", columns.status, columns.item, columns.department, columns.flag,
                     columns.due or NO_CLOCK, position % SLOTS)
                ] += 1  # fmt: skip
                statuses[columns.status] += 1
                for queue, query in queues.items():
                    expected[queue] += query.matches(columns)
                if position % 100_000 == 0:
                    print(f"  {position:,} rows made ({time.perf_counter() - started:.0f} s)", flush=True)
        with cursor.copy("COPY record_keys (key, position) FROM STDIN") as out:
            for row in keys:
                out.write_row(row)
        del keys
        with cursor.copy(
            "COPY counts (kind, status, item, department, flag, due, slot, n) FROM STDIN"
        ) as out:
            for bucket, n in sorted(buckets.items()):
                out.write_row((*bucket, n))
        with cursor.copy("COPY numbering (series, last) FROM STDIN") as out:
            for series, last in sorted(numbering.items()):
                out.write_row((series, last))
        connection.execute("SELECT setval('records_position_seq', %s)", (size,))
        copied = time.perf_counter() - started
        for _, definition in secondary:
            connection.execute(definition)
        connection.commit()
    loaded = time.perf_counter() - started
    upgrade_started = time.perf_counter()
    applied = migrations.upgrade(url)
    upgrade_s = time.perf_counter() - upgrade_started
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")
    cluster.admin(f"COMMENT ON DATABASE \"{name}\" IS 'filled with {size} consultations'")
    result = {
        "size": size,
        "make_and_copy_s": round(copied, 1),
        "with_indexes_s": round(loaded, 1),
        "migrations_after_fill": applied,
        "migrations_after_fill_s": round(upgrade_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "statuses": dict(statuses),
        "expected": dict(expected),
    }
    (data_dir.parent / f"fill-{size}.json").write_text(
        json.dumps(result, ensure_ascii=False), encoding="utf-8"
    )
    return result


def verify(url: str, expected: dict[str, int], size: int) -> dict[str, Any]:
    """The service's counts against ``count(*)`` over records and the reference ones."""
    import psycopg
    from psycopg import sql

    from forms_api.domain.columns import columns_of
    from forms_api.domain.queues import QUEUES
    from forms_api.domain.submissions import now
    from forms_api.storage.postgres.store import PostgresStore, where
    from forms_api.storage.query import Query

    today = now().date()
    queries = {q.name: q.query(today) for q in QUEUES.values() if q.kind == "consultation"}
    queries["all"] = Query("consultation")

    async def service_counts() -> dict[str, int]:
        store = await PostgresStore.open(url, columns=columns_of, min_size=1, max_size=2)
        try:
            return await store.tally(queries)
        finally:
            await store.close()

    counted = asyncio.run(service_counts())
    scanned = {}
    with psycopg.connect(url) as connection:
        for name, query in queries.items():
            condition, params = where(query)
            statement = sql.SQL("SELECT count(*) FROM records WHERE {}").format(condition)
            scanned[name] = connection.execute(statement, params).fetchone()[0]
    reference = {**expected, "all": size}
    if not (counted == scanned and all(counted[k] == v for k, v in reference.items())):
        raise SystemExit(f"counts differ: service {counted}, count(*) {scanned}, reference {reference}")
    return counted


# --- serving ------------------------------------------------------------------------------------


def has_workers_option() -> bool:
    out = subprocess.run(
        [sys.executable, "-m", "forms_api.cli", "serve", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    return "--workers" in out


def process_rss_mb(pid: int) -> list[float]:
    """RSS of a process and of each of its descendants (with ``--workers N``: the supervisor
    first, then each worker), in MB."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        with contextlib.suppress(OSError):
            found.append(round(rss_mb(current)))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


@contextlib.contextmanager
def ipps_serve(env: dict[str, str], workers: int | None) -> Any:
    port = free_port()
    command = [sys.executable, "-m", "forms_api.cli", "serve", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    log = server_log()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(started_badly(log)) from None
                if time.perf_counter() - started > 120:
                    raise RuntimeError("ipps serve did not answer within 120 s") from None
                time.sleep(0.01)
        yield base, process, time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def add_supervisor(url: str, data_dir: Path) -> None:
    from argon2 import PasswordHasher

    from forms_api.domain.staff.accounts import Accounts
    from forms_api.settings import Settings

    settings = Settings(data_dir=data_dir, catalog_dir=ROOT / "catalog", database_url=url)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts = Accounts.of(settings, hasher=hasher)
    try:
        accounts.add("bench", "supervisor", PASSWORD, known_departments=[])
    finally:
        accounts.close()


def staff_pages(staff: Browser, requests: int) -> dict[str, Any]:
    status, _ = staff.get("/staff/")
    assert status == 200, status
    found: dict[str, Any] = {}
    pages = [("workbench", "/staff/"), ("consultation_queue", f"/staff/?queue={NEW_QUERY}")]
    for queue in (NEW_QUERY, DONE_QUERY):
        for label, text in (("match", "质押"), ("nothing", "无此内容")):
            pages.append((f"search_{label}_{queue}", f"/staff/?queue={queue}&q=" + urllib.parse.quote(text)))
    for label, path in pages:
        staff.get(path)  # warm
        found[label] = percentiles([timed(lambda path=path: staff.get(path)) for _ in range(requests)])
    _, body = staff.get(f"/staff/?queue={DONE_QUERY}&q=" + urllib.parse.quote("质押"))
    found["search_match_rows_shown"] = body.count("质押".encode()) > 0
    return found


def count_consultations(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM records WHERE kind = 'consultation'").fetchone()[0]


def post_load(base: str, url: str, args: argparse.Namespace, script: Path) -> dict[str, Any]:
    wrk(base + "/api/consultations", 2, args.connections, script)  # warm-up
    before = count_consultations(url)
    rate, p50, p99, created, errors = wrk(
        base + "/api/consultations", args.duration, args.connections, script
    )
    after = count_consultations(url)
    if after - before < created:
        raise SystemExit(f"{created} acknowledged but only {after - before} stored")
    return {"per_s": round(rate), "p50_ms": p50, "p99_ms": p99, "created": created, "errors": errors,
            "stored": after - before}  # fmt: skip


# --- anchors: plain SQLite and plain psycopg ------------------------------------------------------

PLAIN_DOCUMENT = json.dumps({**BODY, "status": "已提交", "padding": "x" * 600}, ensure_ascii=False)


def fine(values: list[float]) -> dict[str, Any]:
    """:func:`percentiles` to the microsecond (the anchors are far below a millisecond)."""
    ordered = sorted(values)
    at = lambda share: round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 3)  # noqa: E731
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "n": len(ordered),
    }


def _loop(seconds: float, one: Any) -> dict[str, Any]:
    latencies = []
    started = time.perf_counter()
    i = 0
    while time.perf_counter() - started < seconds:
        latencies.append(timed(lambda i=i: one(i)))
        i += 1
    took = time.perf_counter() - started
    return {"per_s": round(len(latencies) / took), **fine(latencies)}


def sqlite_anchor(work: Path, url: str, size: int, seconds: float) -> dict[str, Any]:
    import psycopg

    path = work / f"sqlite-{size}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE records (position INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
            " document TEXT NOT NULL, status TEXT NOT NULL, item TEXT NOT NULL, department TEXT NOT NULL,"
            " due TEXT, created TEXT NOT NULL, flag INTEGER NOT NULL)"
        )
        with (
            psycopg.connect(url) as connection,
            connection.cursor().copy(
                "COPY (SELECT position, kind, key, document::text, status, item, department, due::text, created,"
                " flag::int FROM records ORDER BY position) TO STDOUT"
            ) as out,
            db,
        ):
            db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?)", out.rows())
        db.execute("CREATE INDEX records_kind_status ON records (kind, status, position)")
        db.execute(
            "CREATE TABLE plain_insert (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, document TEXT NOT NULL)"
        )
        db.commit()
        db.execute("ANALYZE")
        db.close()
        partial.rename(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("DELETE FROM plain_insert")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = time.time_ns()

    def insert(i: int) -> None:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO plain_insert (key, document) VALUES (?, ?)", (f"k{stamp}-{i}", PLAIN_DOCUMENT)
        )
        db.execute("COMMIT")

    found = {"insert": _loop(seconds, insert)}
    for label, states in (("count_new", ("已提交", "已分派")), ("count_replied", ("已答复",))):
        marks = ",".join("?" * len(states))
        statement = f"SELECT count(*) FROM records WHERE kind = 'consultation' AND status IN ({marks})"
        db.execute(statement, states).fetchone()
        found[label] = fine(
            [timed(lambda s=statement, v=states: db.execute(s, v).fetchone()) for _ in range(20)]
        )
    db.execute("DELETE FROM plain_insert")
    db.close()
    return found


def psycopg_anchor(url: str, seconds: float, clients: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS plain_insert (id bigserial PRIMARY KEY, key text NOT NULL UNIQUE,"
            " document jsonb NOT NULL)"
        )
        stamp = time.time_ns()

        def insert(i: int, connection: Any = connection, prefix: str = "s") -> None:
            connection.execute(
                "INSERT INTO plain_insert (key, document) VALUES (%s, %s)",
                (f"{prefix}{stamp}-{i}", PLAIN_DOCUMENT),
            )

        found: dict[str, Any] = {"insert_1_client": _loop(seconds, insert)}
        for label, states in (("count_new", ["已提交", "已分派"]), ("count_replied", ["已答复"])):
            statement = "SELECT count(*) FROM records WHERE kind = 'consultation' AND status = ANY(%s)"
            connection.execute(statement, (states,)).fetchone()
            found[label] = fine(
                [
                    timed(lambda q=statement, s=states: connection.execute(q, (s,)).fetchone())
                    for _ in range(20)
                ]
            )
    # the same insert from ``clients`` connections at once (commits share WAL flushes)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        with psycopg.connect(url, autocommit=True) as own:
            mine, i = [], 0
            while time.perf_counter() < stop:
                mine.append(timed(lambda i=i: insert(i, own, f"c{n}-")))
                i += 1
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found[f"insert_{clients}_clients"] = {
        "per_s": round(len(latencies) / (time.perf_counter() - started)),
        **fine(latencies),
    }
    return found


# --- one size -----------------------------------------------------------------------------------


def measure(
    cluster: KeptCluster, size: int, args: argparse.Namespace, site: Path, script: Path
) -> dict[str, Any]:
    work: Path = args.work
    data_dir = work / "data"
    marker = work / f"fill-{size}.json"
    exists = cluster.admin("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           (f"fill_{size}",))  # fmt: skip
    if not (exists and exists[0][0] and marker.exists()):
        print(f"filling {size:,} consultations …", flush=True)
        filled = fill(cluster, size, data_dir)
        print(f"  filled in {filled['total_s']} s", flush=True)
    filled = json.loads(marker.read_text(encoding="utf-8"))
    from forms_api.storage.postgres import migrations

    fill_url = cluster.url(f"fill_{size}")
    if migrations.upgrade(fill_url):  # kept from before a newer migration
        with contextlib.closing(__import__("psycopg").connect(fill_url, autocommit=True)) as connection:
            connection.execute("VACUUM (ANALYZE)")
    run = f"run_{size}"
    cluster.admin(f'DROP DATABASE IF EXISTS "{run}"')
    copied = time.perf_counter()
    cluster.admin(f'CREATE DATABASE "{run}" TEMPLATE "fill_{size}" STRATEGY FILE_COPY')
    url = cluster.url(run)
    result: dict[str, Any] = {"size": size, "copy_database_s": round(time.perf_counter() - copied, 1)}
    try:
        result["counts"] = verify(url, filled["expected"], size)
        add_supervisor(url, data_dir)
        cluster.admin("CHECKPOINT")
        os.sync()  # the copied files written out now, not in the middle of a measurement
        result["load_before"] = os.getloadavg()[0]
        env = {
            **os.environ,
            "IPPS_DATA_DIR": str(data_dir),
            "IPPS_SITE_DIR": str(site),
            "IPPS_CATALOG_DIR": str(ROOT / "catalog"),
            "IPPS_RATE_LIMIT": "0",
            "IPPS_DATABASE_URL": url,
        }
        with ipps_serve(env, None) as (base, process, start_s):
            result["start_s"] = round(start_s, 2)
            time.sleep(1)
            result["rss_idle_mb"] = round(rss_mb(process.pid))
            staff = Browser(base)
            staff.log_in()
            result.update(staff_pages(staff, args.requests))
            result["rss_after_pages_mb"] = round(rss_mb(process.pid))
            if size <= args.export_up_to:
                result.update(export_under_load(base, staff, process.pid, args.connections))
        result["anchor_psycopg"] = psycopg_anchor(url, args.anchor_seconds, args.connections)
        result["anchor_sqlite"] = sqlite_anchor(work, url, size, args.anchor_seconds)
        workers_ok = has_workers_option()
        result["posts"] = {}
        for workers in args.workers:
            if not workers_ok and workers != 1:
                result["posts"][workers] = "skipped: this ipps serve has no --workers option"
                print(f"  {workers} workers skipped: ipps serve --help shows no --workers", flush=True)
                continue
            with ipps_serve(env, workers if workers_ok else None) as (base, process, start_s):
                time.sleep(1)
                posts = post_load(base, url, args, script)
                posts["start_s"] = round(start_s, 2)
                posts["rss_mb"] = process_rss_mb(process.pid)
            result["posts"][workers] = posts
        result["load_after"] = os.getloadavg()[0]
    finally:
        cluster.admin(f'DROP DATABASE IF EXISTS "{run}"')
    return result


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    def ms(value: dict[str, Any] | None) -> str:
        return f"{value['p50_ms']:,} ms" if value else "—"

    sizes = [r["size"] for r in results]
    head = "| | " + " | ".join(f"{s:,} stored" for s in sizes) + " |"
    print("\n" + head + "\n|---|" + "---|" * len(sizes))

    def row(label: str, cell: Any) -> None:
        print(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    row("`ipps serve` start until `/api/health` answers", lambda r: f"{r['start_s']} s")
    row(
        "server RSS, idle / after the staff pages",
        lambda r: f"{r['rss_idle_mb']} / {r['rss_after_pages_mb']} MB",
    )
    row("`GET /staff/` (every queue's count), p50", lambda r: ms(r["workbench"]))
    row("unanswered consultations queue page, p50", lambda r: ms(r["consultation_queue"]))
    for queue, what in ((NEW_QUERY, "unanswered"), (DONE_QUERY, "answered")):
        row(f"search `q=质押` in the {what} queue, p50 / p95",
            lambda r, q=queue: f"{ms(r[f'search_match_{q}'])} / {r[f'search_match_{q}']['p95_ms']:,} ms")  # fmt: skip
        row(f"search matching nothing in the {what} queue, p50 / p95",
            lambda r, q=queue: f"{ms(r[f'search_nothing_{q}'])} / {r[f'search_nothing_{q}']['p95_ms']:,} ms")  # fmt: skip
    exported = [r for r in results if "export_xlsx_s" in r]

    def export(r: dict[str, Any], what: str) -> str:
        if "export_xlsx_s" not in r:
            return "—"
        during = r["post_during_export"]
        return {
            "alone": f"{r['export_xlsx_alone_s']} s",
            "loaded": f"{r['export_xlsx_s']} s",
            "memory": f"{r['export_rss_growth_mb']} / {r['export_tree_pss_growth_mb']} MB",
            "posts": f"{during['p50_ms']} / {during['p99_ms']} ms ({during['n']:,} POSTs)",
        }[what]

    if exported:
        row("full XLSX export of the consultations, alone", lambda r: export(r, "alone"))
        row(f"the same export with {args.connections} clients posting", lambda r: export(r, "loaded"))
        row("growth during it: server RSS / server and child PSS", lambda r: export(r, "memory"))
        row("public POST p50 / p99 during the export", lambda r: export(r, "posts"))
    for workers in args.workers:

        def post(r: dict[str, Any], w: int = workers) -> str:
            p = r["posts"].get(w)
            if not isinstance(p, dict):
                return str(p or "—")
            return (
                f"{p['per_s']:,}/s, p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms ({p['errors']} errors)"
            )

        row(f"POST /api/consultations, {args.connections} clients, `--workers {workers}`", post)

        def rss(r: dict[str, Any], w: int = workers) -> str:
            p = r["posts"].get(w)
            return " / ".join(f"{mb} MB" for mb in p["rss_mb"]) if isinstance(p, dict) else "—"

        row(f"RSS after that load, `--workers {workers}` (each process)", rss)
    row(
        "plain psycopg INSERT, 1 client",
        lambda r: (
            f"{r['anchor_psycopg']['insert_1_client']['per_s']:,}/s, p50 {r['anchor_psycopg']['insert_1_client']['p50_ms']} ms"
        ),
    )
    key = f"insert_{args.connections}_clients"
    row(f"plain psycopg INSERT, {args.connections} clients",
        lambda r: f"{r['anchor_psycopg'][key]['per_s']:,}/s, p50 {r['anchor_psycopg'][key]['p50_ms']} ms, p99 {r['anchor_psycopg'][key]['p99_ms']} ms")  # fmt: skip
    row("plain SQLite INSERT (WAL, synchronous=FULL), 1 client",
        lambda r: f"{r['anchor_sqlite']['insert']['per_s']:,}/s, p50 {r['anchor_sqlite']['insert']['p50_ms']} ms")  # fmt: skip
    row("queue count, plain psycopg `count(*)` (unanswered / answered)",
        lambda r: f"{ms(r['anchor_psycopg']['count_new'])} / {ms(r['anchor_psycopg']['count_replied'])}")  # fmt: skip
    row("queue count, plain SQLite `count(*)` (unanswered / answered)",
        lambda r: f"{ms(r['anchor_sqlite']['count_new'])} / {ms(r['anchor_sqlite']['count_replied'])}")  # fmt: skip
    for r in results:
        posts = r["posts"]
        if isinstance(posts.get(1), dict) and isinstance(posts.get(2), dict):
            print(
                f"\n{r['size']:,} stored: 2 workers against 1: ×{posts[2]['per_s'] / posts[1]['per_s']:.2f} requests/s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per staff page")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="ipps serve --workers to load")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk load per measurement")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (wrk -c)")
    parser.add_argument("--anchor-seconds", type=float, default=10, help="seconds per plain insert anchor")
    parser.add_argument(
        "--export-up-to",
        type=int,
        default=100_000,
        help="measure the full XLSX export under load at sizes up to this one",
    )
    parser.add_argument("--work", type=Path, help="keep the cluster with its filled databases here")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder when no --work is given (--work is always kept)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    keep = args.keep or args.work is not None
    args.work = (args.work or Path(tempfile.mkdtemp(prefix="ipps-bench-pg-"))).resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    args.work.chmod(0o755)
    (args.work / "data").mkdir(exist_ok=True)
    site = args.work / "site"
    if not site.exists():
        minimal_site(site)
        (site / "staff").mkdir(exist_ok=True)
    script = args.work / "post.lua"
    body = json.dumps(BODY, ensure_ascii=False).replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Accept"] = "application/json"\nwrk.body = "{body}"\n',
        encoding="utf-8",
    )
    print(f"load average before: {os.getloadavg()}", flush=True)
    cluster = KeptCluster(args.work / "pg")
    cluster.start()
    results = []
    try:
        for size in args.sizes:
            print(f"measuring with {size:,} stored …", flush=True)
            result = measure(cluster, size, args, site, script)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    finally:
        cluster.stop()
        if not keep:
            shutil.rmtree(args.work, ignore_errors=True)
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.duration}s; staff pages: {args.requests} sequential requests each"
    )
    report(results, args)
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
