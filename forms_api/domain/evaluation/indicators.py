"""The evaluation indicators (T/CIPS 007—2024 9.1 c) computed from the stored records.

``catalog/indicators.yml`` declares each indicator; its formula names counts and measures
from a fixed vocabulary (``INDICATOR_COUNTS`` and ``INDICATOR_MEASURES`` in
:mod:`generator.schema.tables`, which the catalog validation checks names against). This
module says what each name counts, over the records as the store keeps them, and computes:

- :func:`compute`: every indicator for one period, overall or for one item;
- :func:`previous_period` and :func:`compare`: the change against the period of the same
  length immediately before;
- :func:`items_seen`: the items the records refer to, to compute per item.

Pure: no store, no clock. Pass *all* records of each kind (not only the period's): a rating
or a 差评 case names its item through the receipt number of the application or consultation
it is about, and that may lie in an earlier period.

Which period a record belongs to is decided by one of its dates, named in each count's label
(``按办结时间`` …). Times are ISO strings with their offset (``+08:00``); their day is taken
in China. ``as_of`` is the day the figures are taken: what is not due by then (a consultation
or complaint whose reply is due later, a return visit planned for later) is left out, not
counted late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator import workdays
from generator.schema import Indicator
from generator.schema.indicators import AVERAGE, COUNT, RATIO, one_place, value_of
from generator.schema.tables import INDICATOR_COUNTS, INDICATOR_MEASURES

__all__ = [
    "COUNTS",
    "MEASURES",
    "Change",
    "Count",
    "Measure",
    "Result",
    "compare",
    "compute",
    "day_of",
    "items_seen",
    "previous_period",
]

Record = Mapping[str, Any]

# Record states, as forms_api.domain.workflow.rules (applications, consultations) and the 差评 case
# and return-visit records name them. Repeated here so that this module stays free of the
# service it would otherwise import.
COMPLETED = "已办结"
CASE_CLOSED = "已办结"
VISITED = "已回访"
RECTIFIED = "整改"

_ONE_DAY = dt.timedelta(days=1)


# --- reading records -------------------------------------------------------------------------


def day_of(value: object) -> dt.date | None:
    """The day in China of an ISO time (``2026-10-09T10:00:00+08:00``) or date (``2026-10-09``)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        text = str(value)
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(workdays.china_tz())
    return moment.date()


def _level(record: Record) -> int:
    return int(record.get("level") or 0)


def _completed(record: Record) -> bool:
    return record.get("status") == COMPLETED and bool(record.get("completed_at"))


def _late(record: Record) -> bool:
    """Completed after its due date. The workflow records ``completed_late`` at completion
    (the due date then already moved by any pause for corrections); older records without it
    compare the completion day with ``due_date``."""
    if record.get("completed_late") is not None:
        return bool(record["completed_late"])
    due, done = day_of(record.get("due_date")), day_of(record.get("completed_at"))
    return due is not None and done is not None and done > due


def _replied_on_time(record: Record) -> bool:
    replied, due = day_of(record.get("replied_at")), day_of(record.get("reply_due"))
    return replied is not None and due is not None and replied <= due


def _reply_decided(record: Record, as_of: dt.date) -> bool:
    """Answered, or unanswered with the due day over: either way it counts."""
    due = day_of(record.get("reply_due"))
    return bool(record.get("replied_at")) or (due is not None and due < as_of)


def _visit_due(record: Record, as_of: dt.date) -> bool:
    planned = day_of(record.get("scheduled_at"))
    return record.get("status") == VISITED or (planned is not None and planned < as_of)


def case_named(record: Record) -> bool:
    """A 差评 whose rater can be visited, as it was made with a receipt number. The console's
    cases say so in ``named``; without it, a case that names the rated ``receipt_no`` is."""
    if "named" in record:
        return bool(record["named"])
    return bool(record.get("receipt_no"))


def _case_resolved(record: Record) -> bool:
    return record.get("status") == CASE_CLOSED and bool(record.get("outcome"))


def _case_outcome(record: Record) -> str | None:
    """整改, 解释说明 or 申诉复核: the outcome's ``outcome`` (as the console keeps it) or ``type``."""
    outcome = record.get("outcome") or {}
    return outcome.get("outcome") or outcome.get("type")


def _workdays(start: object, end: object) -> int | None:
    first, last = day_of(start), day_of(end)
    if first is None or last is None:
        return None
    return workdays.working_days_between(first, last)


# --- the vocabulary -------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """What a count name counts: records of ``kind`` whose day (from the first of the
    ``dated_by`` fields the record has) lies in the period, and for which ``where(record,
    as_of)`` holds."""

    kind: str
    dated_by: tuple[str, ...]
    where: Callable[[Record, dt.date], bool] = lambda record, as_of: True


@dataclass(frozen=True)
class Measure:
    """What a measure name measures: ``value(record)`` of the records of ``kind`` in the period
    (as for :class:`Count`); records where it is None are not measured."""

    kind: str
    dated_by: tuple[str, ...]
    value: Callable[[Record], int | None]


SUBMITTED_AT, ACCEPTED_AT, COMPLETED_AT = ("submitted_at",), ("accepted_at",), ("completed_at",)
REPLY_DUE, REPLIED_AT, SCHEDULED_AT = ("reply_due",), ("replied_at",), ("scheduled_at",)
OPENED_AT = ("opened_at", "submitted_at")
"""A 差评 case is opened when its rating arrives; the console's cases keep that time as
``submitted_at``."""

COUNTS: Mapping[str, Count] = {
    "ratings": Count("rating", SUBMITTED_AT),
    "satisfied_ratings": Count("rating", SUBMITTED_AT, lambda r, _: 1 <= _level(r) <= 3),
    "bad_ratings": Count("rating", SUBMITTED_AT, lambda r, _: _level(r) >= 4),
    "applications_submitted": Count("application", SUBMITTED_AT),
    "applications_accepted": Count("application", ACCEPTED_AT),
    "applications_told_once": Count(
        "application", ACCEPTED_AT, lambda r, _: len(r.get("corrections") or []) <= 1
    ),
    "applications_completed": Count("application", COMPLETED_AT, lambda r, _: _completed(r)),
    "applications_completed_on_time": Count(
        "application", COMPLETED_AT, lambda r, _: _completed(r) and not _late(r)
    ),
    "applications_completed_late": Count(
        "application", COMPLETED_AT, lambda r, _: _completed(r) and _late(r)
    ),
    "consultations_submitted": Count("consultation", SUBMITTED_AT),
    "consultations_due": Count("consultation", REPLY_DUE, _reply_decided),
    "consultations_replied_on_time": Count("consultation", REPLY_DUE, lambda r, _: _replied_on_time(r)),
    "complaints_due": Count("complaint", REPLY_DUE, _reply_decided),
    "complaints_replied_on_time": Count("complaint", REPLY_DUE, lambda r, _: _replied_on_time(r)),
    "cases": Count("case", OPENED_AT),
    "cases_named": Count("case", OPENED_AT, lambda r, _: case_named(r)),
    "cases_visited": Count("case", OPENED_AT, lambda r, _: bool(r.get("return_visit"))),
    "cases_resolved": Count("case", OPENED_AT, lambda r, _: _case_resolved(r)),
    "cases_rectified": Count(
        "case", OPENED_AT, lambda r, _: _case_resolved(r) and _case_outcome(r) == RECTIFIED
    ),
    "visits_scheduled": Count("visit", SCHEDULED_AT, _visit_due),
    "visits_done": Count("visit", SCHEDULED_AT, lambda r, _: r.get("status") == VISITED),
}

MEASURES: Mapping[str, Measure] = {
    "handling_workdays": Measure(
        "application",
        COMPLETED_AT,
        lambda r: _workdays(r.get("accepted_at"), r.get("completed_at")) if _completed(r) else None,
    ),
    "reply_workdays": Measure(
        "consultation", REPLIED_AT, lambda r: _workdays(r.get("submitted_at"), r.get("replied_at"))
    ),
}

assert set(COUNTS) == set(INDICATOR_COUNTS.entries), "every count name of the catalog has its meaning here"
assert set(MEASURES) == set(INDICATOR_MEASURES.entries), (
    "every measure name of the catalog has its meaning here"
)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One indicator over one period, overall (``item_code`` None) or for one item.

    ``value`` is None when there is nothing to divide by (``denominator`` 0); the counts are
    kept either way. A ratio's value is a percentage (95.0 means 95 %); an average's
    ``numerator`` is the sum of what was measured and its ``denominator`` the number of
    records measured; a count's value is the count and its ``denominator`` None.
    """

    indicator: Indicator
    start: dt.date
    end: dt.date
    item_code: str | None
    value: float | None
    numerator: int
    denominator: int | None

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def target(self) -> float:
        return self.indicator.target

    @property
    def direction(self) -> str:
        return self.indicator.direction

    @property
    def public(self) -> bool:
        return self.indicator.public

    @property
    def met(self) -> bool | None:
        """Whether the target is reached (:meth:`Indicator.met_by`)."""
        return self.indicator.met_by(self.value)

    @property
    def text(self) -> str:
        """The value (one decimal, rounded half up: 2.25 is 2.3) with its unit and the counts
        it comes from, in Chinese."""
        form = self.indicator.formula.form
        if form == COUNT:
            return f"{self.numerator} 件"
        if form == AVERAGE:
            counts = f"{self.denominator} 件共 {self.numerator} 个{self.unit}"
            shown = f"{one_place(self.value)} 个{self.unit}"
        else:
            counts = f"{self.numerator}/{self.denominator}"
            shown = f"{one_place(self.value)}%"
        return f"{shown}（{counts}）" if self.value is not None else f"无数据（{counts}）"


@dataclass(frozen=True)
class Change:
    """An indicator now and in the previous period."""

    current: Result
    previous: Result | None

    @property
    def delta(self) -> float | None:
        """Current minus previous value (percentage points for a percentage); None without both."""
        if self.previous is None or self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def improved(self) -> bool | None:
        """True when the value moved the better way, False the worse way, None when it did not
        move or cannot be compared."""
        delta = self.delta
        if not delta:
            return None
        return (delta > 0) == (self.current.direction == "higher")


# --- computing ------------------------------------------------------------------------------


class ItemFinder:
    """Which item a record is about: its own ``item``, else that of the application or
    consultation its ``receipt_no`` names, else (a 差评 case) that of its rating."""

    def __init__(self, records: Mapping[str, Sequence[Record]]) -> None:
        self.by_receipt = {
            r["receipt_no"]: r.get("item")
            for kind in ("application", "consultation")
            for r in records.get(kind, ())
            if r.get("receipt_no")
        }
        self.ratings = {r["rating_no"]: r for r in records.get("rating", ()) if r.get("rating_no")}

    def item(self, record: Record) -> Mapping[str, Any] | None:
        if record.get("item"):
            return record["item"]
        if record.get("receipt_no") and self.by_receipt.get(record["receipt_no"]):
            return self.by_receipt[record["receipt_no"]]
        if record.get("kind") != "rating" and record.get("rating_no") in self.ratings:
            return self.item(self.ratings[record["rating_no"]])
        return None

    def code(self, record: Record) -> str | None:
        item = self.item(record)
        return item.get("code") if item else None


def _check_period(start: object, end: object) -> None:
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise TypeError(f"{name} must be a datetime.date (not {type(value).__name__})")
    if end < start:  # type: ignore[operator]
        raise ValueError(f"the period ends ({end}) before it starts ({start})")


class _Tally:
    def __init__(
        self, records: Mapping[str, Sequence[Record]], start: dt.date, end: dt.date, as_of: dt.date
    ) -> None:
        self.records, self.start, self.end, self.as_of = records, start, end, as_of
        self._counts: dict[str, int] = {}

    def _in_period(self, kind: str, dated_by: tuple[str, ...]) -> Iterable[Record]:
        for record in self.records.get(kind, ()):
            day = day_of(next((record[f] for f in dated_by if record.get(f)), None))
            if day is not None and self.start <= day <= self.end:
                yield record

    def count(self, name: str) -> int:
        if name not in self._counts:
            rule = COUNTS[name]
            self._counts[name] = sum(
                1 for r in self._in_period(rule.kind, rule.dated_by) if rule.where(r, self.as_of)
            )
        return self._counts[name]

    def measure(self, name: str) -> tuple[int, int]:
        """(sum of the values, number of records measured)."""
        rule = MEASURES[name]
        values = [v for r in self._in_period(rule.kind, rule.dated_by) if (v := rule.value(r)) is not None]
        return sum(values), len(values)

    def result(self, indicator: Indicator, item_code: str | None) -> Result:
        formula = indicator.formula
        form = formula.form
        denominator: int | None
        if form == RATIO:
            numerator = sum(self.count(n) for n in formula.numerator or ())
            denominator = sum(self.count(n) for n in formula.denominator or ())
        elif form == AVERAGE:
            numerator, denominator = self.measure(formula.average or "")
        else:
            numerator, denominator = self.count(formula.count or ""), None
        value = value_of(form, numerator, denominator)
        return Result(indicator, self.start, self.end, item_code, value, numerator, denominator)


def compute(
    indicators: Iterable[Indicator],
    records_by_kind: Mapping[str, Iterable[Record]],
    start: dt.date,
    end: dt.date,
    *,
    item_code: str | None = None,
    as_of: dt.date | None = None,
) -> list[Result]:
    """Every indicator over the days ``start`` to ``end`` (both included), in the given order.

    ``records_by_kind`` maps ``application``, ``consultation``, ``complaint``, ``rating``,
    ``case`` and ``visit`` to all the records of that kind (a missing kind has none). With
    ``item_code`` (an item's 实施编码, ``item["code"]`` on the records) only records about that
    item count.
    ``as_of`` is the day the figures are taken, by default the day after ``end`` (the period
    is over).
    """
    _check_period(start, end)
    records = {kind: list(found) for kind, found in records_by_kind.items()}
    if item_code is not None:
        items = ItemFinder(records)
        records = {kind: [r for r in found if items.code(r) == item_code] for kind, found in records.items()}
    tally = _Tally(records, start, end, end + _ONE_DAY if as_of is None else as_of)
    return [tally.result(indicator, item_code) for indicator in indicators]


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same number of days immediately before ``start``–``end``."""
    _check_period(start, end)
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - _ONE_DAY


def compare(current: Sequence[Result], previous: Sequence[Result]) -> list[Change]:
    """Each current result with the previous period's result of the same indicator (by id)."""
    before = {r.id: r for r in previous}
    return [Change(result, before.get(result.id)) for result in current]


def items_seen(records_by_kind: Mapping[str, Iterable[Record]]) -> list[Mapping[str, Any]]:
    """The items (``{"code", "slug", "name"}``) the records name, by code, for per-item figures."""
    found: dict[str, Mapping[str, Any]] = {}
    for records in records_by_kind.values():
        for record in records:
            item = record.get("item")
            if item and item.get("code"):
                found.setdefault(item["code"], item)
    return [found[code] for code in sorted(found)]
