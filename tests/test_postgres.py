"""The PostgreSQL engine's own matters: schema migrations (``ipps db``), a server that refuses a
database behind the code, and several stores (workers) on one database at once."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import psycopg
import pytest

from forms_api.cli.main import main
from forms_api.settings import Settings
from forms_api.storage.crypto import Vault
from forms_api.storage.embedded.store import Insert
from forms_api.storage.engines import check_before_serving
from forms_api.storage.postgres import migrations
from forms_api.storage.postgres.store import PostgresStore
from forms_api.storage.query import Columns, Query
from tests.test_store import run


@pytest.fixture
def database(pg_cluster: Any, request: pytest.FixtureRequest) -> str:
    if pg_cluster is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install Debian's postgresql"
        )
    return pg_cluster.create_database(f"db_{request.node.name[:40].lower()}")


def test_upgrade_builds_the_schema_once_and_status_says_so(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "status", "--database-url", database]) == 1
    assert "请先运行 ipps db upgrade" in capsys.readouterr().err
    assert main(["db", "upgrade", "--database-url", database]) == 0
    assert f"数据库结构现为第 {migrations.LATEST} 版" in capsys.readouterr().out
    assert main(["db", "upgrade", "--database-url", database]) == 0
    assert "无需升级" in capsys.readouterr().out
    assert main(["db", "status", "--database-url", database]) == 0
    with psycopg.connect(database) as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        versions = [row[0] for row in connection.execute("SELECT version FROM ipps_schema ORDER BY version")]
    assert {"records", "record_keys", "counts", "numbering", "ipps_schema"} <= tables
    assert versions == list(range(1, migrations.LATEST + 1))


def test_db_commands_need_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("IPPS_DATABASE_URL", raising=False)
    assert main(["db", "upgrade", "--database-url", "mysql://x@y/z"]) == 2
    assert "database_url" in capsys.readouterr().err


def test_a_database_behind_the_code_refuses_to_serve(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database)
    with pytest.raises(migrations.SchemaMismatch, match="尚未建立办件数据表，请先运行 ipps db upgrade"):
        check_before_serving(settings, {})
    migrations.upgrade(database)
    check_before_serving(settings, {})  # up to date: serves
    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)  # the code one migration ahead
    with pytest.raises(migrations.SchemaMismatch, match=r"本程序需要第 \d+ 版，请先运行 ipps db upgrade"):
        check_before_serving(settings, {})
    monkeypatch.setenv("IPPS_DATABASE_URL", database)
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path))
    assert main(["serve", "--port", "1"]) == 2  # refused before any server starts
    assert "请先运行 ipps db upgrade" in capsys.readouterr().err
    with pytest.raises(migrations.SchemaMismatch):
        run(PostgresStore.open(database))


def by_status(document: Any) -> Columns:
    return Columns(status=document.get("status", ""))


def test_two_workers_share_numbering_keys_and_counts(database: str) -> None:
    """Two stores on one database, as two worker processes have: every number handed out
    once, a key taken by one refused to the other, and the counts of both writes."""
    migrations.upgrade(database)

    async def scenario() -> None:
        first = await PostgresStore.open(database, columns=by_status)
        second = await PostgresStore.open(database, columns=by_status)
        try:
            numbers = await asyncio.gather(
                *(store.next_number("ZX20261124") for store in (first, second) for _ in range(100))
            )
            assert sorted(numbers) == list(range(1, 201))
            await first.insert("k", "K1", {"status": "新"}, unique=("rated:X",))
            with pytest.raises(KeyError):
                await second.insert("k", "K2", {"status": "新"}, unique=("rated:X",))
            with pytest.raises(KeyError):
                await second.insert("k", "K1", {"status": "新"})
            assert not await second.contains("K2")  # the refused write left nothing behind
            await asyncio.gather(
                *(
                    store.write(inserts=[Insert("k", f"{name}{n}", {"status": "新" if n % 2 else "旧"})])
                    for name, store in (("A", first), ("B", second))
                    for n in range(50)
                )
            )
            await second.update("K1", {"status": "旧"})
            counts = await first.tally({"new": Query("k", status={"新"}), "old": Query("k", status={"旧"})})
            assert counts == {"new": 50, "old": 51}
            assert await first.get("rated:X") == {"status": "旧"}
        finally:
            await first.close()
            await second.close()

    run(scenario())


def test_the_settings_name_the_engine() -> None:
    assert Settings().engine == "embedded"
    assert dataclasses.replace(Settings(), database_url="postgresql://ipps@db/ipps").engine == "postgres"
    assert "s3cr3t-pw" not in repr(
        dataclasses.replace(Settings(), database_url="postgresql://a:s3cr3t-pw@db/x")
    )


def test_a_backup_of_a_database_that_cannot_be_reached_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Never a backup of the (empty) embedded store that looks like one of the records."""
    monkeypatch.setenv("IPPS_DATABASE_URL", "postgresql://ipps@127.0.0.1:1/none")
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path))
    Vault.open(tmp_path / "secrets" / "data.key")
    assert main(["backup", str(tmp_path / "out")]) == 1
    assert "备份失败：无法连接数据库" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["restore", str(tmp_path / "x.tar.gz")]) == 1
    assert "无法恢复" in capsys.readouterr().err
    assert list((tmp_path / "tmp").iterdir()) == []  # the scratch folders are gone


def test_reports_read_the_same_records_from_either_engine(engine: Any) -> None:
    """What ``ipps report`` and ``ipps faq export`` read beside a running server."""
    from forms_api.domain.columns import columns_of
    from forms_api.storage.offline import read

    async def fill() -> None:
        store = await engine.open(columns_of)
        try:
            for n in range(1, 6):
                await store.insert(
                    "consultation",
                    f"ZX20261124-{n:06d}",
                    {
                        "kind": "consultation",
                        "receipt_no": f"ZX20261124-{n:06d}",
                        "faq": {"at": "x"} if n % 2 else None,
                    },
                )
            await store.insert("rating", "PJ20261124-000001", {"kind": "rating", "level": 1})
        finally:
            await store.close()

    run(fill())
    everything, marked, ratings = read(
        engine.folder,
        engine.url or "",
        [Query("consultation"), Query("consultation", flag=True), Query("rating")],
        columns=columns_of,
    )
    assert [d["receipt_no"] for d in everything] == [f"ZX20261124-{n:06d}" for n in range(1, 6)]
    assert [d["receipt_no"] for d in marked] == [
        "ZX20261124-000001",
        "ZX20261124-000003",
        "ZX20261124-000005",
    ]
    assert ratings == [{"kind": "rating", "level": 1}]


def test_the_rate_limit_is_counted_once_across_workers(database: str) -> None:
    migrations.upgrade(database)

    async def scenario() -> list[int | None]:
        stores = [await PostgresStore.open(database, min_size=1, max_size=8) for _ in range(2)]
        try:
            limiters = [store.limiter("submissions", 10, 60) for store in stores]
            hits = [limiters[i % 2].retry_after("203.0.113.7") for i in range(30)]
            answers = await asyncio.gather(*hits)
            other = await limiters[0].retry_after("198.51.100.1")  # another client: its own allowance
            return [*answers, other]
        finally:
            for store in stores:
                await store.close()

    answers = run(scenario())
    allowed = [a for a in answers[:-1] if a is None]
    assert len(allowed) == 10  # never more, however the hits interleave
    assert all(isinstance(a, int) and 1 <= a <= 60 for a in answers[:-1] if a is not None)
    assert answers[-1] is None


def test_a_host_with_other_keys_refuses_to_serve(database: str, tmp_path: Path) -> None:
    from forms_api.storage.crypto import Vault
    from forms_api.storage.keys import KeyFileError

    migrations.upgrade(database)
    first = Vault.open(tmp_path / "first" / "data.key").fingerprint
    second = Vault.open(tmp_path / "second" / "data.key").fingerprint
    settings = Settings(data_dir=tmp_path, database_url=database)
    check_before_serving(settings, {"data": first})  # the first host records its key
    check_before_serving(settings, {"data": first})  # and may start again
    with pytest.raises(KeyFileError, match=r"数据加密密钥.*与数据库中记录的不一致.*复制 secrets/"):
        check_before_serving(settings, {"data": second})

    async def open_with(fingerprint: str) -> None:
        store = await PostgresStore.open(database, min_size=1, max_size=2)
        try:
            await store.check_keys({"data": fingerprint})
        finally:
            await store.close()

    run(open_with(first))
    with pytest.raises(KeyFileError):
        run(open_with(second))


def test_accounts_and_login_attempts_kept_in_the_database_are_seen_by_every_host(
    database: str, tmp_path: Path
) -> None:
    import datetime as dt

    from argon2 import PasswordHasher

    from forms_api.domain.staff.accounts import Accounts
    from forms_api.domain.staff.attempts import LoginAttempts

    migrations.upgrade(database)
    settings = Settings(data_dir=tmp_path, database_url=database)
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hosts = [Accounts.of(settings, hasher=fast) for _ in range(2)]
    attempts = [LoginAttempts.of(settings) for _ in range(2)]
    try:
        hosts[0].add("zhang", "acceptor", "a long password 1", known_departments=[])
        assert hosts[1].get("zhang") is not None  # seen by the other host
        now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
        for n in range(4):  # failures through either host count once, together
            attempts[n % 2].failed("zhang", "203.0.113.7", now)
        attempts[1]._cached = None  # as after FRESHNESS
        assert attempts[1].wait("zhang", "203.0.113.7", now) == 4
        assert attempts[0].wait("zhang", "198.51.100.1", now) is None  # another address
    finally:
        for accounts in (*hosts, *attempts):
            accounts.close()
    assert not (tmp_path / "staff").exists()  # nothing in files: all in the database


def test_ready_says_when_the_database_is_behind_the_code(
    built_site: Path, tmp_path: Path, database: str
) -> None:
    """A database restored from an older backup under a running server: /api/ready answers
    503 naming the command to run; /api/health still answers (the process lives)."""
    import psycopg

    from tests.api import client

    migrations.upgrade(database)
    with client(built_site, tmp_path / "data", database_url=database, jobs_in_server="no") as api:
        assert api.get("/api/ready").json() == {"status": "ready"}
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute("DELETE FROM ipps_schema WHERE version = %s", (migrations.LATEST,))
        answer = api.get("/api/ready")
        assert answer.status_code == 503 and "ipps db upgrade" in answer.json()["reason"]
        assert api.get("/api/health").status_code == 200
