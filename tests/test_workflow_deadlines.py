"""Workflow deadlines across the 2026 National Day holiday and its 调休 working days.

The calendar facts, read from the installed ``chinesecalendar`` and asserted in
``test_calendar_facts`` so that a changed calendar shows up there first: 中秋 Sep 25–27 and
国庆 Oct 1–7 are days off; Sunday Sep 20 and Saturday Oct 10 are working days.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

import chinese_calendar
import pytest

from forms_api.domain.workflow import (
    Actor,
    Invalid,
    ItemRules,
    Refused,
    apply,
    deadline_state,
    needs_overdue_reason,
    reply_due,
)
from forms_api.domain.workflow.deadlines import pause, resume
from generator.schema import TimeLimit
from generator.workdays import working_days_between

CST = dt.timezone(dt.timedelta(hours=8))
ACCEPTOR = Actor("受理员", "acceptor")
HANDLER = Actor("办理员", "handler", frozenset({"bureau"}))
SUPERVISOR = Actor("督办员", "supervisor")
APPLICANT = Actor("张三", "applicant")


def item(days: int) -> ItemRules:
    return ItemRules(
        limit=TimeLimit(value=days, unit="工作日"), department="bureau", materials={"contract": "合同"}
    )


def at(day: date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def submitted() -> dict[str, Any]:
    return {"kind": "application", "status": "已提交", "due_date": "2026-09-20", "timeline": []}


def run(
    record: dict[str, Any], action: str, who: Actor, payload: dict[str, Any], day: date, rules: ItemRules
):
    return apply(record, action, who, payload, at(day), rules).applied_to(record)


def test_calendar_facts():
    off = [date(2026, 9, 25), date(2026, 9, 27), date(2026, 10, 1), date(2026, 10, 7), date(2026, 10, 11)]
    worked = [date(2026, 9, 20), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 10), date(2026, 10, 12)]
    assert not any(chinese_calendar.is_workday(d) for d in off)
    assert all(chinese_calendar.is_workday(d) for d in worked)
    assert date(2026, 10, 10).weekday() == 5 and date(2026, 9, 20).weekday() == 6


# --- the clock starts at acceptance --------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "days", "due"),
    [
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # Oct 8, Oct 9, then the 调休 Saturday
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # accepted on a holiday
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # the 调休 Sunday before 国庆
        (date(2026, 9, 24), 4, date(2026, 10, 8)),  # Sep 28, 29, 30, then Oct 8 after 中秋 and 国庆
    ],
)
def test_due_date_runs_from_acceptance(accepted, days, due):
    record = run(submitted(), "accept", ACCEPTOR, {}, accepted, item(days))
    assert record["due_date"] == due.isoformat()
    assert record["accepted_at"] == at(accepted).isoformat()
    assert record["due_date_provisional"] is False


def test_acceptance_day_is_the_day_in_china():
    late_evening_utc = dt.datetime(2026, 9, 29, 23, 30, tzinfo=dt.UTC)  # 07:30 on Sep 30 in China
    outcome = apply(submitted(), "accept", ACCEPTOR, {}, late_evening_utc, item(3))
    assert outcome.changes["due_date"] == "2026-10-10"


# --- queue classes at the boundaries --------------------------------------------------------------


def accepted(due: str, status: str = "办理中", **fields: Any) -> dict[str, Any]:
    return {
        "kind": "application",
        "status": status,
        "accepted_at": "2026-09-30T10:00:00+08:00",
        "due_date": due,
    } | fields


@pytest.mark.parametrize(
    ("today", "state", "left", "overdue"),
    [
        (date(2026, 9, 30), "on_time", 3, 0),
        (date(2026, 10, 1), "on_time", 3, 0),  # the holiday counts for nothing
        (date(2026, 10, 8), "on_time", 2, 0),
        (date(2026, 10, 9), "due_soon", 1, 0),  # the next working day is the 调休 Saturday, the due date
        (date(2026, 10, 10), "due_soon", 0, 0),  # due today
        (date(2026, 10, 11), "overdue", 0, 0),  # the due date has passed; no working day yet
        (date(2026, 10, 12), "overdue", 0, 1),
        (date(2026, 10, 16), "overdue", 0, 5),
    ],
)
def test_deadline_state_around_a_saturday_due_date(today, state, left, overdue):
    found = deadline_state(accepted("2026-10-10"), today)
    assert (found.state, found.working_days_left, found.overdue_days) == (state, left, overdue)
    assert found.due == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 9, 29), "on_time"),  # Sep 30 and Oct 8 still to come
        (date(2026, 9, 30), "due_soon"),  # the next working day is Oct 8, after the whole holiday
        (date(2026, 10, 5), "due_soon"),
        (date(2026, 10, 8), "due_soon"),
        (date(2026, 10, 9), "overdue"),
    ],
)
def test_due_soon_skips_the_holiday(today, state):
    assert deadline_state(accepted("2026-10-08", status="已受理"), today).state == state


@pytest.mark.parametrize("status", ["已提交", "需补正", "不予受理", "已办结"])
def test_no_clock_outside_handling(status):
    record = accepted("2026-09-01", status=status)
    assert deadline_state(record, date(2026, 10, 12)).state == "none"
    assert not needs_overdue_reason(record, date(2026, 10, 12))


def test_submitted_record_with_a_provisional_due_date_has_no_clock():
    assert deadline_state(submitted(), date(2026, 10, 12)).state == "none"


# --- 示警 and 催告 ---------------------------------------------------------------------------------


def test_overdue_needs_a_reason_for_its_due_date():
    record = accepted("2026-10-08")
    assert not needs_overdue_reason(record, date(2026, 10, 8))
    assert needs_overdue_reason(record, date(2026, 10, 9))
    with pytest.raises(Refused, match=r"尚未超期（办结期限 2026-10-08），无需说明超期原因"):
        apply(record, "explain_overdue", HANDLER, {"reason": "x"}, at(date(2026, 10, 8)), item(3))
    explained = run(
        record, "explain_overdue", HANDLER, {"reason": "等待专家评审意见"}, date(2026, 10, 9), item(3)
    )
    assert explained["overdue_reason"] == {
        "reason": "等待专家评审意见",
        "at": "2026-10-09T10:00:00+08:00",
        "by": "办理员",
        "due_date": "2026-10-08",
    }
    assert explained["status"] == "办理中"
    assert not needs_overdue_reason(explained, date(2026, 10, 20))


def test_completing_late_requires_a_reason_once():
    record = accepted("2026-10-08")
    day = date(2026, 10, 12)  # Oct 9, 10, 12: three working days late
    with pytest.raises(Invalid) as invalid:
        apply(record, "complete", HANDLER, {"result": "准予登记"}, at(day), item(3))
    assert invalid.value.problems == {"overdue_reason": "办件已超过办结期限（2026-10-08），请先说明超期原因"}
    done = run(
        record, "complete", HANDLER, {"result": "准予登记", "overdue_reason": "系统故障"}, day, item(3)
    )
    assert done["status"] == "已办结"
    assert (done["completed_late"], done["completed_overdue_days"]) == (True, 3)
    assert done["overdue_reason"]["reason"] == "系统故障"
    explained = run(record, "explain_overdue", HANDLER, {"reason": "系统故障"}, day, item(3))
    assert run(explained, "complete", HANDLER, {"result": "准予登记"}, day, item(3))["status"] == "已办结"


def test_remind_only_when_overdue_and_records_the_department():
    record = accepted("2026-10-10")
    with pytest.raises(Refused, match="无需催告"):
        apply(record, "remind", SUPERVISOR, {}, at(date(2026, 10, 10)), item(3))
    reminded = run(record, "remind", SUPERVISOR, {"note": "请尽快办结"}, date(2026, 10, 13), item(3))
    assert reminded["reminders"] == [
        {
            "at": "2026-10-13T10:00:00+08:00",
            "by": "督办员",
            "department": "bureau",
            "overdue_days": 2,
            "due": "2026-10-10",
        }
    ]
    assert reminded["timeline"][-1]["note"] == "已催告部门（bureau）：超过期限 2 个工作日"
    assert reminded["status"] == "办理中"
    again = run(reminded, "remind", Actor("管理员", "admin"), {}, date(2026, 10, 14), item(3))
    assert len(again["reminders"]) == 2


def test_remind_an_unassigned_consultation_reminds_the_acceptors():
    record = {"kind": "consultation", "status": "已提交", "reply_due": "2026-10-08", "timeline": []}
    outcome = apply(record, "remind", SUPERVISOR, {}, at(date(2026, 10, 9)), None)
    assert outcome.changes["reminders"][0]["role"] == "acceptor"
    assert outcome.event["note"] == "已催告受理员：超过期限 1 个工作日"


# --- the pause rule -------------------------------------------------------------------------------


def handling(accepted_on: date, days: int) -> dict[str, Any]:
    record = run(submitted(), "accept", ACCEPTOR, {}, accepted_on, item(days))
    return run(record, "progress", HANDLER, {"text": "开始审查"}, accepted_on, item(days))


def test_pause_across_the_holiday():
    record = handling(date(2026, 9, 21), 10)
    # Sep 22, 23, 24, 28, 29, 30, Oct 8, 9, 10 (Saturday), 12
    assert record["due_date"] == "2026-10-12"
    paused = run(
        record, "request_correction", HANDLER, {"materials": ["contract"]}, date(2026, 9, 24), item(10)
    )
    # left on Sep 24: Sep 28, 29, 30, Oct 8, 9, 10, 12
    assert paused["clock_paused"] == {"since": "2026-09-24", "working_days_left": 7}
    assert paused["timeline"][-1]["note"] == "请补正：合同。补正期间办理时限暂停计算"
    assert deadline_state(paused, date(2026, 10, 20)).state == "none"  # paused: never overdue
    resumed = run(paused, "receive_correction", APPLICANT, {}, date(2026, 9, 30), item(10))
    # seven working days after Sep 30: Oct 8, 9, 10, 12, 13, 14, 15
    assert resumed["status"] == "办理中"
    assert resumed["due_date"] == "2026-10-15"
    assert resumed["clock_paused"] is None
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert resumed["timeline"][-1]["note"] == "收到补正材料，继续办理，办结期限调整为 2026-10-15"
    assert deadline_state(resumed, date(2026, 10, 14)).state == "due_soon"


def test_corrections_arriving_during_the_holiday():
    record = handling(date(2026, 9, 28), 3)  # Sep 29, 30, Oct 8
    assert record["due_date"] == "2026-10-08"
    paused = run(record, "request_correction", HANDLER, {"note": "补充说明"}, date(2026, 9, 29), item(3))
    assert paused["clock_paused"]["working_days_left"] == 2  # Sep 30, Oct 8
    resumed = run(paused, "receive_correction", APPLICANT, {}, date(2026, 10, 3), item(3))
    assert resumed["due_date"] == "2026-10-09"  # Oct 8, Oct 9


def test_paused_on_the_due_date_is_due_when_corrections_arrive():
    record = handling(date(2026, 9, 28), 3)
    paused = run(record, "request_correction", HANDLER, {"note": "补充说明"}, date(2026, 10, 8), item(3))
    assert paused["clock_paused"]["working_days_left"] == 0
    on_working_day = run(paused, "receive_correction", APPLICANT, {}, date(2026, 10, 12), item(3))
    assert on_working_day["due_date"] == "2026-10-12"
    on_day_off = run(paused, "receive_correction", APPLICANT, {}, date(2026, 10, 11), item(3))
    assert on_day_off["due_date"] == "2026-10-12"  # never due on a day off


def test_paused_while_overdue_stays_overdue_by_as_much():
    record = handling(date(2026, 9, 21), 3)  # Sep 22, 23, 24
    assert record["due_date"] == "2026-09-24"
    record = run(record, "explain_overdue", HANDLER, {"reason": "等待复函"}, date(2026, 9, 28), item(3))
    paused = run(record, "request_correction", HANDLER, {"note": "补充说明"}, date(2026, 9, 29), item(3))
    assert paused["clock_paused"]["working_days_left"] == -2  # Sep 28 and 29 overdue
    resumed = run(paused, "receive_correction", APPLICANT, {}, date(2026, 10, 9), item(3))
    # two working days before Oct 9 (Oct 8, 9) leaves Sep 30 as the due date
    assert resumed["due_date"] == "2026-09-30"
    found = deadline_state(resumed, date(2026, 10, 9))
    assert (found.state, found.overdue_days) == ("overdue", 2)
    assert needs_overdue_reason(resumed, date(2026, 10, 9))  # the old reason covered the old due date


@pytest.mark.parametrize(
    ("left", "arrived", "due"),
    [
        (3, date(2026, 9, 30), date(2026, 10, 10)),
        (1, date(2026, 10, 1), date(2026, 10, 8)),
        (0, date(2026, 10, 10), date(2026, 10, 10)),
        (0, date(2026, 10, 4), date(2026, 10, 8)),
        (-1, date(2026, 10, 8), date(2026, 9, 30)),
        (-1, date(2026, 10, 4), date(2026, 9, 29)),  # arrived on a day off: Sep 30 is the overdue day
        (-3, date(2026, 10, 12), date(2026, 10, 8)),  # Oct 9, 10, 12
    ],
)
def test_resume(left, arrived, due):
    assert resume(left, arrived).date == due
    assert not resume(left, arrived).provisional
    assert chinese_calendar.is_workday(due)
    if left > 0:
        assert pause(due, arrived) == left
    elif left < 0:
        assert pause(due, arrived) == left
        assert working_days_between(due, arrived) == -left


# --- consultations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 25), 3, date(2026, 9, 30)),  # received during 中秋
        (date(2026, 10, 1), 1, date(2026, 10, 8)),
        (date(2026, 10, 9), 2, date(2026, 10, 12)),  # Saturday Oct 10 worked, Sunday not
    ],
)
def test_consultation_reply_due(received, days, due):
    assert reply_due(received, days).date == due


def test_consultation_clock_stops_at_the_reply():
    record = {"kind": "consultation", "status": "已提交", "reply_due": "2026-10-10", "timeline": []}
    assert deadline_state(record, date(2026, 10, 9)).state == "due_soon"
    assert (
        deadline_state(record | {"status": "已分派", "department": "b"}, date(2026, 10, 12)).state
        == "overdue"
    )
    replied = apply(record, "reply", ACCEPTOR, {"text": "您好"}, at(date(2026, 10, 12)), None).applied_to(
        record
    )
    assert deadline_state(replied, date(2026, 10, 20)).state == "none"
