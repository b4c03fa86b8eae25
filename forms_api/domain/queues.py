"""The console's work queues and search, as pure functions over stored records.

A queue is a named filter (:data:`QUEUES`): new work, due soon (today or the next working
day), overdue, awaiting the applicant's corrections, in hand, closed; the search narrows any
queue by receipt number, applicant or subject text, item, department and submission dates.
A handler sees only the work of her departments (:func:`visible`); the others see all.

The filters look at the stored documents without copying them (``Store.select``), so a queue
over a large store copies only the page it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .staff.accounts import User
from .workflow import deadlines
from .workflow.rules import (
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

PAGE = 50
"""Rows per page."""


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    kind: str
    test: Callable[[Mapping[str, Any], dt.date], bool]
    counted: bool = True
    """Whether the tab shows how many it holds (not for the ever-growing closed lists)."""


def _status(*states: str) -> Callable[[Mapping[str, Any], dt.date], bool]:
    return lambda record, today: record.get("status") in states


def _deadline(state: str) -> Callable[[Mapping[str, Any], dt.date], bool]:
    return lambda record, today: deadlines.deadline_state(record, today).state == state


QUEUES: dict[str, Queue] = {
    queue.name: queue
    for queue in (
        Queue("new", "待受理", "application", _status(SUBMITTED)),
        Queue("due_soon", "即将到期", "application", _deadline(deadlines.DUE_SOON)),
        Queue("overdue", "已超期", "application", _deadline(deadlines.OVERDUE)),
        Queue("correction", "待补正", "application", _status(CORRECTION)),
        Queue("handling", "办理中", "application", _status(ACCEPTED, HANDLING)),
        Queue("closed", "已办结", "application", _status(COMPLETED, REFUSED), counted=False),
        Queue("all", "全部申请", "application", lambda record, today: True, counted=False),
        Queue("consult_new", "待答复咨询", "consultation", _status(SUBMITTED, ASSIGNED)),
        Queue("consult_overdue", "咨询超期", "consultation", _deadline(deadlines.OVERDUE)),
        Queue("consult_replied", "已答复咨询", "consultation", _status(REPLIED), counted=False),
        Queue("faq", "常见问题候选", "consultation", lambda record, today: bool(record.get("faq"))),
        Queue("cases", "差评处理", "case", _status(PENDING, VISITED)),
        Queue("cases_overdue", "差评超期", "case", _deadline(deadlines.OVERDUE)),
        Queue("cases_closed", "差评已办结", "case", _status(COMPLETED), counted=False),
        Queue("visits", "待回访", "visit", _status(TO_VISIT)),
        Queue("visits_done", "已回访", "visit", _status(VISITED), counted=False),
        Queue("complaints", "待答复投诉建议", "complaint", _status(SUBMITTED)),
        Queue("complaints_overdue", "投诉建议超期", "complaint", _deadline(deadlines.OVERDUE)),
        Queue("complaints_replied", "已答复投诉建议", "complaint", _status(REPLIED), counted=False),
    )
}
DEFAULT = "new"


@dataclass(frozen=True)
class Search:
    """What the search form asks for; empty values do not narrow."""

    text: str = ""
    """Part of the receipt number, the applicant's name or a consultation's subject."""
    item: str = ""
    """An item's implementation code."""
    department: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> tuple[Search, dict[str, str]]:
        """The search from the query string, and what is wrong with it by field (Chinese)."""
        problems: dict[str, str] = {}
        dates: dict[str, dt.date | None] = {}
        for name, label in (("since", "开始日期"), ("until", "结束日期")):
            text = (query.get(name) or "").strip()
            try:
                dates[name] = dt.date.fromisoformat(text) if text else None
            except ValueError:
                problems[name] = f"{label}应为日期，例如 2026-11-24"
                dates[name] = None
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            problems["until"] = "结束日期不能早于开始日期"
        search = cls(
            text=(query.get("q") or "").strip()[:64],
            item=(query.get("item") or "").strip()[:80],
            department=(query.get("department") or "").strip()[:80],
            since=dates["since"],
            until=dates["until"],
        )
        return search, problems

    def matches(self, record: Mapping[str, Any], departments: frozenset[str]) -> bool:
        if self.item and (record.get("item") or {}).get("code") != self.item:
            return False
        if self.department and self.department not in departments:
            return False
        day = record.get("submitted_at", "")[:10]
        if self.since and day < self.since.isoformat():
            return False
        if self.until and day > self.until.isoformat():
            return False
        if self.text:
            needle = self.text.upper()
            person = record.get("applicant") or record
            haystack = (record.get("receipt_no", ""), person.get("name", ""), record.get("subject", ""))
            if not any(needle in str(value).upper() for value in haystack):
                return False
        return True

    @property
    def empty(self) -> bool:
        return not (self.text or self.item or self.department or self.since or self.until)


def departments_of(
    record: Mapping[str, Any], item_departments: Mapping[str, frozenset[str]]
) -> frozenset[str]:
    """The departments responsible for ``record``: its item's 实施部门 and 共同实施部门 for an
    application, the one it is with for a consultation, case or complaint (none before)."""
    if record.get("kind") != "application":  # consultation, case, complaint: where it is
        return frozenset({record["department"]}) if record.get("department") else frozenset()
    return item_departments.get((record.get("item") or {}).get("code", ""), frozenset())


def item_departments(service: Any) -> dict[str, frozenset[str]]:
    """Item code -> the departments responsible for it (实施部门 and 共同实施部门)."""
    return {
        code: frozenset((item.department, *item.co_departments))
        for code, (_, item) in service.items_by_code.items()
    }


def visible(user: User, departments: frozenset[str]) -> bool:
    """Whether ``user`` may see a record of ``departments``: a handler only her departments' work."""
    return not user.role.needs_departments or not departments.isdisjoint(user.departments)
