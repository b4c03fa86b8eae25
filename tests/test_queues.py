"""The console's queues and search as store queries (forms_api/domain/queues.py) select exactly
the records that classifying each one on the day would: the deadline classes of
``deadline_state``, the statuses, the search over receipt, name, subject, item, department
and dates, and a handler's departments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from forms_api.domain.columns import columns_of
from forms_api.domain.queues import QUEUES, Search, departments_of, scope, visible
from forms_api.domain.staff.accounts import User
from forms_api.domain.staff.roles import HANDLER, SUPERVISOR
from forms_api.domain.workflow import deadlines
from forms_api.domain.workflow.rules import (
    ACCEPTED,
    ASSIGNED,
    COMPLETED,
    CORRECTION,
    HANDLING,
    PENDING,
    REFUSED,
    REPLIED,
    SUBMITTED,
    TO_VISIT,
    VISITED,
)
from generator import workdays

STATES = {
    "application": (SUBMITTED, ACCEPTED, HANDLING, CORRECTION, COMPLETED, REFUSED),
    "consultation": (SUBMITTED, ASSIGNED, REPLIED),
    "complaint": (SUBMITTED, REPLIED),
    "case": (PENDING, VISITED, COMPLETED),
    "visit": (TO_VISIT, VISITED),
}
ITEMS = {"I1": frozenset({"d1"}), "I2": frozenset({"d2", "d1"}), "I3": frozenset({"d3"})}
"""Item code -> its departments (实施部门 and 共同实施部门)."""
ITEMS_OF = {"d1": frozenset({"I1", "I2"}), "d2": frozenset({"I2"}), "d3": frozenset({"I3"})}
# Around the 2026 National Day holiday and its 调休 Saturday (2026-10-10), and ordinary weeks.
DAYS = st.dates(dt.date(2026, 9, 20), dt.date(2026, 10, 25))


@st.composite
def records(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(STATES)))
    status = draw(st.sampled_from(STATES[kind]))
    submitted = draw(DAYS)
    due = draw(DAYS).isoformat()
    record: dict[str, Any] = {
        "kind": kind,
        "receipt_no": draw(st.sampled_from(("SQ20261001-000001", "ZX20261002-000017", "CP20261003-000005"))),
        "status": status,
        "submitted_at": f"{submitted.isoformat()}T10:00:00+08:00",
        "item": {"code": draw(st.sampled_from(sorted(ITEMS))), "name": "事项"},
    }
    if kind == "application":
        record["applicant"] = {"name": draw(st.sampled_from(("林晓", "示范科技有限公司")))}
        if draw(st.booleans()):
            record["accepted_at"] = record["submitted_at"]
        record["due_date"] = due
    else:
        record["name"] = draw(st.sampled_from(("张三", "李四")))
        record["subject"] = draw(st.sampled_from(("专利质押材料", "商标续展")))
        if draw(st.booleans()):
            record["department"] = draw(st.sampled_from(("d1", "d2", "d3")))
        record["reply_due" if kind in ("consultation", "complaint") else "due_date"] = due
        record["faq"] = {"at": "x"} if kind == "consultation" and draw(st.booleans()) else None
    return record


def in_queue(name: str, record: Mapping[str, Any], today: dt.date) -> bool:
    """The reference: each queue as the console classified records before they were queries."""
    queue = QUEUES[name]
    if record["kind"] != queue.kind:
        return False
    state = deadlines.deadline_state(record, today).state
    by_status = {
        "new": {SUBMITTED},
        "correction": {CORRECTION},
        "handling": {ACCEPTED, HANDLING},
        "closed": {COMPLETED, REFUSED},
        "consult_new": {SUBMITTED, ASSIGNED},
        "consult_replied": {REPLIED},
        "cases": {PENDING, VISITED},
        "cases_closed": {COMPLETED},
        "visits": {TO_VISIT},
        "visits_done": {VISITED},
        "complaints": {SUBMITTED},
        "complaints_replied": {REPLIED},
    }
    if name in by_status:
        return record["status"] in by_status[name]
    if name == "due_soon":
        return state == deadlines.DUE_SOON
    if name.endswith("overdue"):
        return state == deadlines.OVERDUE
    if name == "faq":
        return bool(record.get("faq"))
    return name == "all"


def found_by_search(search: Search, record: Mapping[str, Any]) -> bool:
    """The reference search: item, the record's departments, submission dates and text."""
    departments = departments_of(record, ITEMS)
    if search.item and (record.get("item") or {}).get("code") != search.item:
        return False
    if search.department and search.department not in departments:
        return False
    day = record.get("submitted_at", "")[:10]
    if search.since and day < search.since.isoformat():
        return False
    if search.until and day > search.until.isoformat():
        return False
    if search.text:
        person = record.get("applicant") or record
        haystack = (record.get("receipt_no", ""), person.get("name", ""), record.get("subject", ""))
        return any(search.text.upper() in str(value).upper() for value in haystack)
    return True


searches = st.builds(
    Search,
    text=st.sampled_from(("", "林", "sq2026", "000017", "质押", "无此人")),
    item=st.sampled_from(("", "I1", "I2", "I3")),
    department=st.sampled_from(("", "d1", "d2", "d3")),
    since=st.none() | DAYS,
    until=st.none() | DAYS,
)


def user(role: Any, *departments: str) -> User:
    return User(role.id, role, departments, "", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


users = st.sampled_from((user(SUPERVISOR), user(HANDLER, "d1"), user(HANDLER, "d3", "d2")))


@settings(max_examples=400, deadline=None)
@given(record=records(), today=DAYS, search=searches, user=users)
def test_every_queue_selects_what_classifying_the_record_on_the_day_gives(
    record: dict[str, Any], today: dt.date, search: Search, user: User
) -> None:
    columns = columns_of(record)
    mine = visible(user, departments_of(record, ITEMS))
    for name, queue in QUEUES.items():
        query = scope(queue.query(today), user, ITEMS_OF)
        same_kind = record["kind"] == query.kind  # the store keeps each kind apart
        assert (same_kind and query.matches(columns)) == (in_queue(name, record, today) and mine), name
        narrowed = search.narrow(query, ITEMS_OF)
        wanted = in_queue(name, record, today) and mine and found_by_search(search, record)
        assert (same_kind and narrowed.matches(columns)) == wanted, (name, search)


@settings(max_examples=300, deadline=None)
@given(
    today=st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 1)),
    due=st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 20)),
)
def test_the_due_soon_range_is_the_due_soon_class(today: dt.date, due: dt.date) -> None:
    """``today .. due_soon_until(today)`` holds exactly the due dates classified due soon,
    across holidays, 调休 working Saturdays and the years the calendar has not published."""
    in_range = today <= due <= deadlines.due_soon_until(today)
    assert in_range == (deadlines.classify(due, today).state == deadlines.DUE_SOON)


def test_due_soon_spans_the_days_off_before_the_next_working_day() -> None:
    # Friday 2026-09-25: due soon up to Monday 28 (the next working day), not Tuesday 29.
    assert deadlines.due_soon_until(dt.date(2026, 9, 25)) == dt.date(2026, 9, 28)
    # Wednesday 2026-09-30, before the National Day holiday (1-7 October, 8 October a working
    # day): the next working day is 8 October, so everything due until then is due soon.
    assert workdays.add_working_days(dt.date(2026, 9, 30), 1).date == dt.date(2026, 10, 8)
    assert deadlines.due_soon_until(dt.date(2026, 9, 30)) == dt.date(2026, 10, 8)
