"""The audit log's hash chain: whole after real work and concurrent writes on both engines,
kept through ``ipps store copy``, and an entry edited or removed on disk (a shard file, a
database row) is reported by ``ipps audit verify`` at its place."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from forms_api.cli.main import main
from forms_api.storage.chain import GENESIS, verify
from forms_api.storage.embedded import Insert
from forms_api.storage.query import Query
from tests.api import JSON, client, consultation
from tests.console import act, console_client, log_in
from tests.test_store import run


def worked(built_site: Path, data_dir: Path, url: str) -> list[str]:
    """A few actions with their audit entries; the receipts."""
    with console_client(built_site, data_dir, database_url=url, jobs_in_server="no") as console:
        numbers = [
            console.post("/api/consultations", json=consultation(), headers=JSON).json()["receipt_no"]
            for _ in range(3)
        ]
        log_in(console, "wang")
        for number in numbers:
            assert act(console, number, "assign", department="copyright-bureau").status_code == 303
    return numbers


@pytest.fixture
def environment(tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPPS_DATABASE_URL", engine.url or "")
    return tmp_path / "data"


def test_the_chain_is_whole_and_an_edit_or_a_removal_is_found(
    built_site: Path, environment: Path, engine: Any, capsys: Any
) -> None:
    worked(built_site, environment, engine.url or "")
    assert main(["audit", "verify"]) == 0
    assert "操作日志完整：共 3 条" in capsys.readouterr().out

    tamper(engine, environment, "edit")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "第 2 条" in err and "被改动" in err

    tamper(engine, environment, "undo")
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()
    tamper(engine, environment, "remove")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "第 2 条" in err and "链接不符" in err


def tamper(engine: Any, data_dir: Path, how: str) -> None:
    """Change the second audit entry behind the service's back, as someone with the disk or the
    database could: ``edit`` its actor, ``undo`` that, or ``remove`` it."""
    if engine.name == "embedded":
        path = data_dir / "store" / "shards" / "audit-000001.json"
        shard = json.loads(path.read_text(encoding="utf-8"))
        second = sorted(shard["documents"], key=int)[1]
        if how == "remove":
            del shard["documents"][second]
        else:
            shard["documents"][second]["actor"] = "mallory" if how == "edit" else "wang"
        path.write_text(json.dumps(shard, ensure_ascii=False), encoding="utf-8")
        return
    with psycopg.connect(engine.url) as connection:
        (position,) = connection.execute(
            "SELECT position FROM records WHERE kind = 'audit' ORDER BY position OFFSET 1 LIMIT 1"
        ).fetchone()
        if how == "remove":
            connection.execute("DELETE FROM record_keys WHERE position = %s", (position,))
            connection.execute("DELETE FROM records WHERE position = %s", (position,))
        else:
            actor = json.dumps("mallory" if how == "edit" else "wang")
            connection.execute(
                "UPDATE records SET document = jsonb_set(document, '{actor}', %s::jsonb) WHERE position = %s",
                (actor, position),
            )


def test_concurrent_appends_make_one_chain(engine: Any) -> None:
    async def scenario() -> list[dict[str, Any]]:
        stores = [await engine.open()]
        if engine.name == "postgres":  # two workers
            stores.append(await engine.open())
        try:
            writes = [
                stores[n % len(stores)].write(
                    inserts=[Insert("audit", f"SJ-{n:03d}", {"audit_no": f"SJ-{n:03d}", "n": n})]
                )
                for n in range(60)
            ]
            await asyncio.gather(*writes)
            return (await stores[0].find(Query("audit"), 100)).rows[::-1]  # oldest first
        finally:
            for store in stores:
                await store.close()

    entries = run(scenario())
    verdict = verify(entries)
    assert verdict.intact and verdict.entries == 60 and verdict.unchained == 0
    assert entries[0]["prev"] == GENESIS


def test_a_copy_keeps_the_chain_and_goes_on_from_it(
    built_site: Path, tmp_path: Path, pg_cluster: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from tests.engines import engine_for

    source = tmp_path / "source"
    worked(built_site, source, "")
    database = engine_for("postgres", pg_cluster, tmp_path).url or ""
    monkeypatch.setenv("IPPS_DATA_DIR", str(source))
    monkeypatch.delenv("IPPS_DATABASE_URL", raising=False)
    assert main(["store", "copy", "--from", str(source), "--to", database]) == 0
    monkeypatch.setenv("IPPS_DATABASE_URL", database)
    # this host's keys are the source's (the database knows their fingerprints), the accounts copied
    with client(built_site, source, database_url=database, jobs_in_server="no") as console:
        number = console.post("/api/consultations", json=consultation(), headers=JSON).json()["receipt_no"]
        log_in(console, "wang")
        assert act(console, number, "assign", department="copyright-bureau").status_code == 303
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0  # the copied entries and the new one: one chain
    assert "共 4 条" in capsys.readouterr().out
