"""Scheduled jobs in the mainland's working days: 即将到期 reminders, automatic 催告 of overdue
work (F.3.4) and each department's daily digest, around the 2026 National Day holiday (1–7
October off, Saturday 10 October a 调休 working day), mailed to a real local SMTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.domain.jobs.schedule import daily_jobs
from forms_api.domain.staff.accounts import Accounts
from forms_api.settings import Settings
from forms_api.storage.query import Query
from generator.workdays import china_tz
from tests.api import store_of
from tests.console import console_client, log_in, run_jobs_at, soup
from tests.mail import Inbox, local_smtp_server

MAILBOX = "bqc@ipps.example.cn"


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00").replace(tzinfo=china_tz())


WORKING = {"digest": "08:00", "reminders": "08:30", "overdue": "09:00"}
EVERY_DAY = {"uploads": "03:00", "retention": "03:30", "no_shows": "02:30"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-09-30", WORKING | EVERY_DAY),  # Wednesday before the holiday
        ("2026-10-01", EVERY_DAY),  # National Day
        ("2026-10-07", EVERY_DAY),
        ("2026-10-10", WORKING | EVERY_DAY),  # a Saturday worked (调休)
        ("2026-10-11", EVERY_DAY),  # Sunday
    ],
)
def test_daily_jobs_come_on_working_days_at_their_hours(day: str, expected: dict[str, str]) -> None:
    jobs = daily_jobs(at(day, "00:05"))
    assert {job.task: job.run_at.astimezone(china_tz()).strftime("%H:%M") for job in jobs} == expected
    assert {job.id for job in jobs} == {f"daily:{task}:{day}" for task in expected}
    assert daily_jobs(at(day, "23:55")) == jobs  # the same jobs all day: queued once


def consultation(number: str, due: str, department: str = "copyright-bureau") -> dict[str, Any]:
    """An assigned consultation waiting for its reply, due on ``due``."""
    return {
        "kind": "consultation",
        "receipt_no": number,
        "status": "已分派",
        "department": department,
        "name": "林晓",
        "phone_masked": "138****8000",
        "subject": "专利质押需要哪些材料",
        "message": "请问需要准备哪些材料？",
        "submitted_at": "2026-09-20T10:00:00+08:00",
        "reply_due": due,
        "timeline": [{"at": "2026-09-20T10:00:00+08:00", "state": "已提交", "note": "收到咨询"}],
        "revision": 1,
    }


DUES = {
    "ZX20260920-000001": "2026-09-29",  # overdue on the 30th: 催告
    "ZX20260920-000002": "2026-09-30",  # due today on the 30th
    "ZX20260920-000003": "2026-10-08",  # the next working day after the 30th, across the holiday
    "ZX20260920-000004": "2026-10-09",
    "ZX20260920-000005": "2026-10-10",  # the 调休 Saturday
    "ZX20260920-000006": "2026-10-12",  # the Monday after it
}


@pytest.fixture
def watched(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[tuple[Any, Inbox]]:
    """The console with the consultations of :data:`DUES`, a copyright-bureau mailbox and a
    handler with a work address, mail going to a local SMTP server, no in-process runner."""
    with local_smtp_server() as (controller, inbox):
        settings = {
            "smtp_host": "127.0.0.1",
            "smtp_port": controller.port,
            "smtp_security": "none",
            "smtp_sender": "noreply@ipps.example.cn",
            "department_emails": (f"copyright-bureau={MAILBOX}",),
            "jobs_in_server": "no",
            "database_url": engine.url or "",
        }
        with console_client(built_site, tmp_path / "data", **settings) as console:
            accounts = Accounts.of(Settings(data_dir=tmp_path / "data", database_url=engine.url or ""))
            try:
                accounts.set_email("zhao", "zhao@ipps.example.cn")  # a copyright-bureau handler
            finally:
                accounts.close()
            for number, due in DUES.items():
                store_of(console).insert("consultation", number, consultation(number, due))
            yield console, inbox


def mailed(inbox: Inbox, since: int) -> list[tuple[str, list[str]]]:
    """(subject, recipients) of what arrived after the first ``since`` messages."""
    return [
        (str(m["Subject"]), sorted(e.rcpt_tos))
        for m, e in zip(inbox.messages(), inbox.envelopes, strict=True)
    ][since:]


def reminders(inbox: Inbox, since: int) -> set[tuple[str, str]]:
    """(receipt, why) of the reminders among them."""
    found = set()
    for subject, _ in mailed(inbox, since):
        for why in ("今日到期", "下一个工作日到期", "已超期"):
            if f"】{why}" in subject:
                found.add((subject.rsplit(" ", 1)[1], why))
    return found


def test_reminders_and_催告_follow_the_working_days_across_the_holiday(watched: tuple[Any, Inbox]) -> None:
    console, inbox = watched
    recipients = sorted([MAILBOX, "zhao@ipps.example.cn"])

    run_jobs_at(console, at("2026-09-30"), schedule=True)
    assert reminders(inbox, 0) == {
        ("ZX20260920-000001", "已超期"),
        ("ZX20260920-000002", "今日到期"),
        ("ZX20260920-000003", "下一个工作日到期"),  # 8 October is the next working day
    }
    assert all(to == recipients for _, to in mailed(inbox, 0))
    (digest,) = [m for m in inbox.messages() if "办件汇总" in m["Subject"]]
    assert digest["Subject"] == (
        "【示范市知识产权公共服务中心】示范市版权局 2026-09-30 办件汇总：已超期 1 件、今日到期 1 件、下一个工作日到期 1 件"
    )
    body = digest.get_content()
    assert body.index("ZX20260920-000001") < body.index("ZX20260920-000002") < body.index("ZX20260920-000003")
    assert "https://ip.shifan.example/staff/records/ZX20260920-000001" in body
    assert "林晓" not in body and "138" not in body and "材料" not in body  # no personal data, no message
    sent = len(inbox.envelopes)

    for holiday in ("2026-10-01", "2026-10-05", "2026-10-07"):
        run_jobs_at(console, at(holiday), schedule=True)
    assert len(inbox.envelopes) == sent  # nothing on days off

    run_jobs_at(console, at("2026-10-09"), schedule=True)
    assert reminders(inbox, sent) == {
        ("ZX20260920-000002", "已超期"),  # due the 30th, still unanswered: 催告 (once per due date)
        ("ZX20260920-000003", "已超期"),  # due the 8th
        ("ZX20260920-000004", "今日到期"),
        ("ZX20260920-000005", "下一个工作日到期"),  # the 调休 Saturday is the next working day
    }
    sent = len(inbox.envelopes)

    run_jobs_at(console, at("2026-10-10"), schedule=True)  # the Saturday worked
    assert reminders(inbox, sent) == {
        ("ZX20260920-000004", "已超期"),
        ("ZX20260920-000005", "今日到期"),
        ("ZX20260920-000006", "下一个工作日到期"),  # Sunday off, Monday next
    }
    sent = len(inbox.envelopes)
    run_jobs_at(console, at("2026-10-11"), schedule=True)  # Sunday
    run_jobs_at(console, at("2026-10-10", "17:00"), schedule=True)  # the same day again
    assert len(inbox.envelopes) == sent


def test_the_automatic_催告_is_recorded_once_on_the_record_and_in_the_audit_log(
    watched: tuple[Any, Inbox],
) -> None:
    console, _ = watched
    run_jobs_at(console, at("2026-09-30"), schedule=True)
    run_jobs_at(console, at("2026-09-30", "15:00"), schedule=True)
    record = store_of(console).get("ZX20260920-000001")
    (reminder,) = record["reminders"]
    assert (reminder["by"], reminder["department"], reminder["due"]) == (
        "系统",
        "copyright-bureau",
        "2026-09-29",
    )
    assert record["timeline"][-1]["state"] == "已分派" and "已催告" in record["timeline"][-1]["note"]
    (entry,) = store_of(console).find(Query("audit", target="ZX20260920-000001"), 10).rows
    assert (entry["actor"], entry["role"], entry["action"]) == ("系统", "system", "remind")
    log_in(console, "sun")  # the supervisor sees it on the record's page
    page = soup(console.get("/staff/records/ZX20260920-000001").text)
    assert "已催告" in page.select_one(".ipps-timeline").get_text()


def test_a_reminder_nobody_can_receive_fails_saying_what_to_set(watched: tuple[Any, Inbox]) -> None:
    console, inbox = watched
    store_of(console).insert(
        "consultation",
        "ZX20260920-000009",
        consultation("ZX20260920-000009", "2026-09-30", "market-regulation"),
    )
    run_jobs_at(console, at("2026-09-30"), schedule=True)
    (failed,) = [j for j in store_of(console).failed_jobs(10) if j.record == "ZX20260920-000009"]
    assert (
        failed.task == "remind"
        and "department_emails" in failed.last_error
        and "ipps user email" in failed.last_error
    )
    assert not any("ZX20260920-000009" in subject for subject, _ in mailed(inbox, 0))
    log_in(console, "sun")
    row = soup(console.get("/staff/jobs").text).select_one(f"tr[data-job='{failed.id}']")
    assert row is not None and "department_emails" in row.get_text()


def test_without_a_mail_server_the_催告_is_still_recorded(built_site: Path, tmp_path: Path) -> None:
    with console_client(built_site, tmp_path / "data", jobs_in_server="no") as console:
        store_of(console).insert(
            "consultation", "ZX20260920-000001", consultation("ZX20260920-000001", "2026-09-29")
        )
        run_jobs_at(console, at("2026-09-30"), schedule=True)
        record = store_of(console).get("ZX20260920-000001")
        assert [r["by"] for r in record["reminders"]] == ["系统"]
        assert store_of(console).failed_jobs(10) == []
