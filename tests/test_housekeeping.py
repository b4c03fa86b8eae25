"""Housekeeping: personal data erased when its retention period has passed (the privacy page's
periods), with a dry run that lists exactly what the real run erases; uploads that no record
names removed after the grace period. Both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from forms_api.cli.main import main
from forms_api.storage.query import Query
from generator.workdays import china_tz
from tests.api import JSON, client, consultation, pledge_fields, pledge_files, store_of
from tests.console import console_client, run_jobs_at

OLD, RECENT = "2022-03-01T10:00:00+08:00", "2026-06-01T10:00:00+08:00"


def closed(number: str, kind: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "receipt_no": number,
        "status": "已答复",
        "name": "林晓",
        "phone_enc": "ZW5j",
        "phone_masked": "138****8000",
        "email": "linxiao@example.com",
        "subject": "专利质押需要哪些材料",
        "message": "我是林晓，电话 13800138000",
        "reply": {"text": "请携带身份证原件", "at": at},
        "submitted_at": at,
        "timeline": [
            {"at": at, "state": "已提交", "note": "收到"},
            {"at": at, "state": "已答复", "note": "已答复林晓"},
        ],
        **extra,
    }


@pytest.fixture
def kept(built_site: Path, tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records of several ages and states and an application with materials completed long
    ago, the server stopped again; the environment set for the command line."""
    data = tmp_path / "data"
    monkeypatch.setenv("IPPS_DATA_DIR", str(data))
    monkeypatch.setenv("IPPS_DATABASE_URL", engine.url or "")
    monkeypatch.setenv("IPPS_RETENTION_DAYS", "application=1000")
    with console_client(built_site, data, database_url=engine.url or "", jobs_in_server="no") as console:
        store = store_of(console)
        store.insert("consultation", "ZX20220301-000001", closed("ZX20220301-000001", "consultation", OLD))
        store.insert("consultation", "ZX20260601-000001", closed("ZX20260601-000001", "consultation", RECENT))
        waiting = closed("ZX20220301-000002", "consultation", OLD, status="已提交", reply_due="2022-03-04")
        store.insert("consultation", "ZX20220301-000002", waiting)  # never answered: still open
        store.insert("complaint", "TS20220301-000001", closed("TS20220301-000001", "complaint", OLD))
        rating = {
            "kind": "rating",
            "rating_no": "PJ20220301-000001",
            "level": 2,
            "comment": "林晓：窗口态度好",
        }
        store.insert("rating", "PJ20220301-000001", {**rating, "submitted_at": OLD, "receipt_no": ""})
        answer = console.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
        number = answer.json()["receipt_no"]
        store.update(
            number, {"status": "已办结", "submitted_at": OLD, "timeline": [{"at": OLD, "state": "已办结"}]}
        )
        materials = {m["stored_name"] for m in store.get(number)["materials"]}
    return {
        "site": built_site,
        "data": data,
        "url": engine.url or "",
        "application": number,
        "materials": materials,
    }


def names(out: str) -> set[str]:
    return {line.split("\t")[1] for line in out.splitlines() if "\t" in line}


def test_the_dry_run_lists_exactly_what_the_real_run_erases(kept: dict[str, Any], capsys: Any) -> None:
    application = kept["application"]
    assert main(["retention", "--dry-run", "--on", "2026-12-07"]) == 0
    listed = names(capsys.readouterr().out)
    assert listed == {"ZX20220301-000001", "TS20220301-000001", "PJ20220301-000001", application}

    assert main(["retention", "--on", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert names(out) == listed and "已删除 4 条记录中的个人信息" in out
    assert main(["retention", "--dry-run", "--on", "2026-12-07"]) == 0
    assert names(capsys.readouterr().out) == set()  # nothing left to erase

    with client(kept["site"], kept["data"], database_url=kept["url"], jobs_in_server="no") as again:
        store = store_of(again)
        erased = store.get("ZX20220301-000001")
        assert (
            erased["name"] == "（已按保存期限删除）" and erased["email"] == "" and erased["phone_enc"] == ""
        )
        assert (
            erased["message"] == "（已按保存期限删除）" and erased["reply"]["text"] == "（已按保存期限删除）"
        )
        assert [step["note"] for step in erased["timeline"]] == ["", ""] and erased["erased_at"]
        assert (erased["status"], erased["submitted_at"]) == ("已答复", OLD)  # what statistics need
        assert store.get("ZX20260601-000001")["name"] == "林晓"  # closed too recently
        assert store.get("ZX20220301-000002")["name"] == "林晓"  # still open
        assert (
            store.get("PJ20220301-000001")["comment"] == "" and store.get("PJ20220301-000001")["level"] == 2
        )
        applicant = store.get(application)["applicant"]
        assert applicant["name"] == "（已按保存期限删除）" and applicant["id_number_enc"] == ""
        assert not kept["materials"] & set(again.app.state.service.blobs.names())  # the materials are gone
        entries = store.find(Query("audit", target=application), 10).rows
        assert [(e["actor"], e["action"]) for e in entries] == [("系统", "retention_erase")]


def test_applications_are_kept_as_archives_unless_a_period_is_set(
    kept: dict[str, Any], capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IPPS_RETENTION_DAYS")
    assert main(["retention", "--dry-run", "--on", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert kept["application"] not in names(out) and "申请 不自动删除" in out


def test_uploads_no_record_names_are_removed_after_the_grace_period(
    built_site: Path, tmp_path: Path, engine: Any
) -> None:
    with console_client(
        built_site, tmp_path / "data", database_url=engine.url or "", jobs_in_server="no"
    ) as console:
        answer = console.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
        kept = {m["stored_name"] for m in store_of(console).get(answer.json()["receipt_no"])["materials"]}
        blobs = console.app.state.service.blobs
        orphan = blobs.save(b"%PDF-1.4 left by a crash between upload and commit")
        now = dt.datetime.now(china_tz())
        run_jobs_at(console, now.replace(hour=3, minute=5), schedule=True)
        assert orphan.stored_name in set(blobs.names())  # not yet 24 hours old
        run_jobs_at(console, now + dt.timedelta(days=2), schedule=True)
        left = set(blobs.names())
        assert orphan.stored_name not in left and kept <= left
        entries = [
            e for e in store_of(console).find(Query("audit"), 50).rows if e["action"] == "uploads_cleanup"
        ]
        assert [e["details"] for e in entries] == [{"removed": 1}]
        assert console.post("/api/consultations", json=consultation(), headers=JSON).status_code == 201
