"""The console's work queues and search, as store queries.

A queue (:data:`QUEUES`) is a named :class:`~forms_api.storage.query.Query` for a given day:
new work, due soon (today or the next working day), overdue, awaiting the applicant's
corrections, in hand, closed; the search narrows any queue by receipt number, applicant or
subject text, item, department and submission dates. A handler sees only the work of her
departments (:func:`scope`); the others see all.

Everything a queue selects on is a column the store indexes (:mod:`.columns`): the status,
and the due date of a running clock, so "overdue" is ``due < today`` and "due soon" the range
up to :func:`.workflow.deadlines.due_soon_until` with today as a parameter; an application's
departments follow from its item, so a department is asked for as its items. The store
answers a page and the queue counts from its indexes, whatever the number stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from forms_api.storage.query import Query

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


Conditions = Callable[[dt.date], dict[str, Any]]
"""A queue's conditions of a :class:`Query` on a given day."""


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    kind: str
    conditions: Conditions
    counted: bool = True
    """Whether the tab shows how many it holds (not for the ever-growing closed lists)."""

    def query(self, today: dt.date) -> Query:
        return Query(self.kind, **self.conditions(today))


def _status(*states: str) -> Conditions:
    return lambda today: {"status": frozenset(states)}


def _overdue(today: dt.date) -> dict[str, Any]:
    return {"due_until": today - dt.timedelta(days=1)}


def _due_soon(today: dt.date) -> dict[str, Any]:
    return {"due_from": today, "due_until": deadlines.due_soon_until(today)}


def _any(today: dt.date) -> dict[str, Any]:
    return {}


QUEUES: dict[str, Queue] = {
    queue.name: queue
    for queue in (
        Queue("new", "待受理", "application", _status(SUBMITTED)),
        Queue("due_soon", "即将到期", "application", _due_soon),
        Queue("overdue", "已超期", "application", _overdue),
        Queue("correction", "待补正", "application", _status(CORRECTION)),
        Queue("handling", "办理中", "application", _status(ACCEPTED, HANDLING)),
        Queue("closed", "已办结", "application", _status(COMPLETED, REFUSED), counted=False),
        Queue("all", "全部申请", "application", _any, counted=False),
        Queue("consult_new", "待答复咨询", "consultation", _status(SUBMITTED, ASSIGNED)),
        Queue("consult_overdue", "咨询超期", "consultation", _overdue),
        Queue("consult_replied", "已答复咨询", "consultation", _status(REPLIED), counted=False),
        Queue("faq", "常见问题候选", "consultation", lambda today: {"flag": True}),
        Queue("cases", "差评处理", "case", _status(PENDING, VISITED)),
        Queue("cases_overdue", "差评超期", "case", _overdue),
        Queue("cases_closed", "差评已办结", "case", _status(COMPLETED), counted=False),
        Queue("visits", "待回访", "visit", _status(TO_VISIT)),
        Queue("visits_done", "已回访", "visit", _status(VISITED), counted=False),
        Queue("complaints", "待答复投诉建议", "complaint", _status(SUBMITTED)),
        Queue("complaints_overdue", "投诉建议超期", "complaint", _overdue),
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

    def narrow(self, query: Query, items_of: Mapping[str, frozenset[str]]) -> Query:
        """``query`` narrowed by this search; ``items_of``: department -> the codes of its
        items (an application is a department's when its item is, see :func:`scope`)."""
        conditions: dict[str, Any] = {"text": self.text}
        items = frozenset({self.item}) if self.item else None
        if self.department and query.kind == "application":
            own = items_of.get(self.department, frozenset())
            items = own if items is None else items & own
        elif self.department:
            conditions["departments"] = frozenset({self.department})
        if items is not None:
            conditions["items"] = items
        if self.since:
            conditions["created_from"] = self.since
        if self.until:
            conditions["created_until"] = self.until
        return query.narrowed(**conditions)

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


def items_by_department(service: Any) -> dict[str, frozenset[str]]:
    """Department -> the codes of the items it implements or co-implements."""
    found: dict[str, set[str]] = {}
    for code, departments in item_departments(service).items():
        for department in departments:
            found.setdefault(department, set()).add(code)
    return {department: frozenset(codes) for department, codes in found.items()}


def scope(query: Query, user: User, items_of: Mapping[str, frozenset[str]]) -> Query:
    """``query`` limited to what ``user`` may see: a handler her departments' applications (by
    their items) and the consultations, cases, visits and complaints with her departments."""
    if not user.role.needs_departments:
        return query
    if query.kind == "application":
        codes = frozenset().union(*(items_of.get(d, frozenset()) for d in user.departments))
        return query.narrowed(items=codes)
    return query.narrowed(departments=frozenset(user.departments))


def visible(user: User, departments: frozenset[str]) -> bool:
    """Whether ``user`` may see a record of ``departments``: a handler only her departments' work."""
    return not user.role.needs_departments or not departments.isdisjoint(user.departments)
