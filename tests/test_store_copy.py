"""``ipps store copy`` between the backends, and ``ipps backup``/``restore`` with PostgreSQL.

A data directory filled through the real service (applications with materials, a
consultation, staff actions and their audit entries, accounts) goes embedded → PostgreSQL →
embedded; the last copy must hold the same documents under the same keys, the same files,
the same numbering and accounts, and serve them (encrypted fields readable with the copied key).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import pytest

from forms_api.cli.main import main
from forms_api.domain.columns import columns_of
from forms_api.domain.queues import QUEUES
from forms_api.domain.staff.accounts import Accounts
from forms_api.domain.submissions import now
from forms_api.settings import Settings
from forms_api.storage.blobs import blobs_for
from forms_api.storage.engines import open_store
from tests.api import JSON, client, consultation, pledge_fields, pledge_files
from tests.console import STAFF, act, add_staff, log_in
from tests.engines import engine_for
from tests.test_store import run


@pytest.fixture
def databases(pg_cluster: Any, tmp_path: Path) -> list[str]:
    urls = [engine_for("postgres", pg_cluster, tmp_path).url for _ in range(2)]
    assert all(urls)
    return urls  # type: ignore[return-value]


def filled(site: Path, data_dir: Path) -> list[dict]:
    """A data directory with what a working day leaves; the receipts handed out."""
    add_staff(data_dir)
    receipts = []
    with client(site, data_dir) as api:
        for _ in range(3):
            answer = api.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
            assert answer.status_code == 201, answer.text
            receipts.append(answer.json())
        receipts.append(
            api.post("/api/consultations", json=consultation(phone="13800138000"), headers=JSON).json()
        )
        log_in(api, "wang")
        assert act(api, receipts[0]["receipt_no"], "accept").status_code == 303
    return receipts


def everything(settings: Settings) -> tuple[dict, dict, dict, dict, dict]:
    """(kind, key, further keys) → document; file name → bytes; numbering; accounts; jobs."""

    async def read() -> tuple[dict, dict, dict]:
        store = await open_store(settings)
        try:
            documents = {(i.kind, i.key, i.unique): i.document for i in store.export()}
            jobs = {
                j.id: (j.task, j.payload, j.record, j.status, j.attempts, j.run_at, j.history)
                for j in store.export_jobs()
            }
            return documents, await store.numbering(), jobs
        finally:
            await store.close()

    documents, numbering, jobs = run(read())
    blobs = blobs_for(settings)
    accounts = Accounts.of(settings)
    try:
        files = {name: b"".join(blobs.read(name)) for name in blobs.names()}
        users = accounts.document()["users"]
    finally:
        blobs.close()
        accounts.close()
    return documents, files, numbering, users, jobs


def queue_counts(settings: Settings) -> dict[str, int]:
    """Every console queue's count today, in ten and in forty days (as the workbench asks)."""
    today = now().date()
    days = [today + dt.timedelta(days=n) for n in (0, 10, 40)]
    asked = {f"{name}@{day}": queue.query(day) for name, queue in QUEUES.items() for day in days}

    async def count() -> dict[str, int]:
        store = await open_store(settings, columns=columns_of)
        try:
            return await store.tally(asked)
        finally:
            await store.close()

    return run(count())


def test_a_round_trip_through_postgresql_keeps_everything(
    built_site: Path, tmp_path: Path, databases: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    first, last = tmp_path / "first", tmp_path / "last"
    receipts = filled(built_site, first)
    monkeypatch.setenv("IPPS_DATA_DIR", str(first))  # this host's keys are the first directory's
    monkeypatch.delenv("IPPS_DATABASE_URL", raising=False)

    assert main(["store", "copy", "--from", str(first), "--to", databases[0]]) == 0
    out = capsys.readouterr().out
    assert "已复制并核对" in out and "文件 9 个" in out and f"员工账号 {len(STAFF)} 个" in out
    assert "后台任务" in out  # the notice of the acceptance, and the day's scheduled jobs
    assert main(["store", "copy", "--from", str(first), "--to", databases[0]]) == 1  # not empty now
    assert "已有数据" in capsys.readouterr().err
    assert main(["store", "copy", "--from", databases[0], "--to", str(last)]) == 0
    capsys.readouterr()

    before = everything(Settings(data_dir=first))
    middle_settings = Settings(data_dir=first, database_url=databases[0])
    middle = everything(middle_settings)
    after = everything(Settings(data_dir=last))
    assert len(before[0]) == 5 and {kind for kind, _, _ in before[0]} >= {
        "application",
        "consultation",
        "audit",
    }
    assert before == middle == after
    notices = [(task, status) for task, _, _, status, *_ in before[4].values() if task == "notice"]
    assert notices == [("notice", "done")]
    assert (last / "secrets" / "data.key").read_bytes() == (first / "secrets" / "data.key").read_bytes()
    embedded, postgres = queue_counts(Settings(data_dir=first)), queue_counts(middle_settings)
    assert embedded == postgres and any(embedded.values())
    with psycopg.connect(databases[0]) as connection:  # personal data stayed encrypted on the way
        stored = " ".join(row[0] for row in connection.execute("SELECT document::text FROM records"))
    assert "13800138000" not in stored and "110105194912310021" not in stored

    # The last copy serves: lookups decrypt with the copied key, numbering goes on.
    with client(built_site, last) as api:
        for receipt in receipts:
            view = api.get(f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]})
            assert view.status_code == 200, view.text
        fresh = api.post("/api/consultations", json=consultation(), headers=JSON).json()
        assert fresh["receipt_no"] not in {r["receipt_no"] for r in receipts}
        assert fresh["receipt_no"] > receipts[-1]["receipt_no"]
        log_in(api, "wang")  # the accounts came along


def test_a_copy_is_refused_from_a_store_in_use_or_without_its_key(
    built_site: Path, tmp_path: Path, databases: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    source = tmp_path / "source"
    filled(built_site, source)
    monkeypatch.setenv("IPPS_DATA_DIR", str(tmp_path / "elsewhere"))
    with client(built_site, source):
        assert main(["store", "copy", "--from", str(source), "--to", databases[0]]) == 1
        assert "请先停止服务" in capsys.readouterr().err
    (source / "secrets" / "data.key").rename(tmp_path / "kept.key")
    assert main(["store", "copy", "--from", str(source), "--to", databases[0]]) == 1
    assert "找不到加密密钥" in capsys.readouterr().err
    with psycopg.connect(databases[0]) as connection:  # nothing was written
        assert connection.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    assert main(["store", "copy", "--from", str(tmp_path / "nothing"), "--to", databases[0]]) == 1
    assert "没有办件数据" in capsys.readouterr().err


def test_backup_and_restore_with_postgresql(
    built_site: Path, tmp_path: Path, databases: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    host = tmp_path / "host"
    filled(built_site, host)
    monkeypatch.setenv("IPPS_DATA_DIR", str(host))
    assert main(["store", "copy", "--from", str(host), "--to", databases[0]]) == 0
    monkeypatch.setenv("IPPS_DATABASE_URL", databases[0])
    assert main(["backup", str(tmp_path / "backups")]) == 0
    out = capsys.readouterr().out
    assert "已备份到" in out and "申请 3 条、操作记录 1 条、咨询留言 1 条" in out, out
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")

    monkeypatch.setenv("IPPS_DATABASE_URL", databases[1])
    assert main(["restore", str(archive)]) == 0
    assert "已从" in capsys.readouterr().out
    original = everything(Settings(data_dir=host, database_url=databases[0]))
    restored = everything(Settings(data_dir=host, database_url=databases[1]))
    assert original[:3] == restored[:3]  # records, files, numbering (accounts are not in backups)
    assert original[4] == restored[4] and original[4]  # and the jobs
    assert main(["restore", str(archive)]) == 1  # the database holds data now
    assert "已有数据" in capsys.readouterr().err
