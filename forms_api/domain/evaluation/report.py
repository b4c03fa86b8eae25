"""The periodic service evaluation report for the competent authority (T/CIPS 007—2024 9.1).

:func:`build` gathers everything ``report.html`` (:mod:`.report_html`) and ``report.xlsx``
(:mod:`.report_xlsx`) show into one :class:`Report`, already worded in Chinese, so that the
two outputs only lay it out:

- every indicator of ``catalog/indicators.yml`` over the period, overall, with its target, whether
  it is met and the change against the period of the same length immediately before
  (:func:`.indicators.previous_period`);
- the same indicators per item, for the items that records dated in the period are about;
- the 差评 cases opened in the period and how they were handled (9.2 return visit, 9.3 outcome);
- the complaints and suggestions submitted in the period, their answers and whether these came
  within the reply period (9.3 b, c);
- the improvement measures (9.3 a, d), when the store holds any (records of kind ``measure``);
- each indicator's definition, as the catalog words it.

Pure: no store, no clock, no files. Pass *all* records of each kind, as
:func:`.indicators.compute` wants them.

Personal data
    Only receipt numbers, items, departments, dates, states and the texts that describe the
    matter (a 差评's comment, a complaint's subject, the replies and outcomes) are taken from
    the records; names, phone numbers, e-mail addresses and who on the staff acted are not. In
    those texts the person's own name and e-mail, and any mobile, ID, landline number or e-mail
    address, are blanked out as ``ipps faq export`` does (:func:`forms_api.domain.faq.redact`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from forms_api.domain.faq import PERSONAL_PATTERNS, redact
from generator.catalog import Catalog
from generator.schema import Indicator
from generator.schema.indicators import AVERAGE, COUNT, RATIO
from generator.schema.tables import (
    INDICATOR_COUNTS,
    INDICATOR_DIRECTIONS,
    INDICATOR_MEASURES,
    MEASURE_DONE,
    SATISFACTION_LEVELS,
)

from .indicators import (
    OPENED_AT,
    Change,
    ItemFinder,
    Result,
    case_named,
    compare,
    compute,
    day_of,
    previous_period,
)

__all__ = [
    "KINDS",
    "CaseRow",
    "CaseSummary",
    "ComplaintRow",
    "ComplaintSummary",
    "Figure",
    "IndicatorRow",
    "ItemRow",
    "MeasureRow",
    "Report",
    "build",
    "measure_concerns",
    "one_place",
]

Record = Mapping[str, Any]

KINDS = ("application", "consultation", "rating", "case", "visit", "complaint", "measure")
"""The record kinds the report reads (``audit`` entries are not)."""

INDICATOR_KINDS = ("application", "consultation", "rating", "case", "visit")
"""The kinds the indicators count: an item is listed per item when one of these names it."""

DATED_BY = (
    "submitted_at",
    "opened_at",
    "accepted_at",
    "completed_at",
    "replied_at",
    "reply_due",
    "scheduled_at",
    "visited_at",
    "closed_at",
)
"""The dates by which a record may fall in a period, for listing its item."""

PERCENT = "百分比"
NO_DATA = "无数据"
DASH = "—"

CASE_OPEN, CASE_CLOSED = "待处理", "已办结"
COMPLAINT, SUGGESTION = "投诉", "建议"

_ONE_DAY = dt.timedelta(days=1)


# --- numbers in words ---------------------------------------------------------------------------


def one_place(value: float | None) -> float | None:
    """``value`` rounded to one decimal place, half up (2.25 is 2.3), as the report shows it."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _number(value: float) -> str:
    rounded = one_place(value)
    return f"{rounded:.1f}" if rounded is not None else ""


def _plain(value: float) -> str:
    """A target: ``95`` rather than ``95.0``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _with_unit(value: str, unit: str) -> str:
    if unit == PERCENT:
        return f"{value}%"
    return f"{value} 个{unit}" if unit == "工作日" else f"{value} {unit}"


def _short_label(label: str) -> str:
    """``满意评价数`` from ``满意评价数：满意度为 1 …（按评价时间）``, ``已办结并有处理结果的差评工单数``
    from ``已办结并有处理结果（整改、解释说明或申诉复核）的差评工单数（按立案时间）``."""
    return re.sub(r"（[^（）]*）", "", label.split("：", 1)[0]).strip()


def formula_text(indicator: Indicator) -> str:
    """The formula in words: ``满意评价数 ÷ 评价数 × 100%``."""
    formula = indicator.formula
    form = formula.form
    if form == RATIO:

        def names(counts: Sequence[str] | None) -> str:
            parts = [_short_label(INDICATOR_COUNTS.label(n)) for n in counts or ()]
            return f"（{' + '.join(parts)}）" if len(parts) > 1 else parts[0]

        return f"{names(formula.numerator)} ÷ {names(formula.denominator)} × 100%"
    if form == AVERAGE:
        return f"{_short_label(INDICATOR_MEASURES.label(formula.average or ''))}的平均值"
    return _short_label(INDICATOR_COUNTS.label(formula.count or ""))


def target_text(indicator: Indicator) -> str:
    """``≥ 95%``, ``≤ 5 个工作日``."""
    sign = "≥" if indicator.direction == "higher" else "≤"
    return f"{sign} {_with_unit(_plain(indicator.target), indicator.unit)}"


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator over one period (overall or for one item), as the report shows it."""

    result: Result

    @property
    def value(self) -> float | None:
        """The value rounded to one place (a percentage as 50.0 for 50 %); None without data."""
        return one_place(self.result.value)

    @property
    def numerator(self) -> int:
        return self.result.numerator

    @property
    def denominator(self) -> int | None:
        return self.result.denominator

    @property
    def text(self) -> str:
        """``50.0%``, ``2.3 个工作日``, ``3 件`` or ``无数据``."""
        if self.result.value is None:
            return NO_DATA
        if self.result.indicator.formula.form == COUNT:
            return f"{self.result.numerator} 件"
        return _with_unit(_number(self.result.value), self.result.unit)

    @property
    def counts(self) -> str:
        """What the value comes from: ``3/6``, ``4 件共 9 个工作日`` (empty for a count)."""
        form = self.result.indicator.formula.form
        if form == RATIO:
            return f"{self.result.numerator}/{self.result.denominator}"
        if form == AVERAGE:
            return f"{self.result.denominator} 件共 {self.result.numerator} 个{self.result.unit}"
        return ""

    @property
    def met(self) -> bool | None:
        return self.result.met

    @property
    def met_text(self) -> str:
        return {True: "达标", False: "未达标", None: NO_DATA}[self.result.met]


def change_text(change: Change) -> str:
    """The change against the previous period in words, with an arrow:
    ``↑ 上升 16.7 个百分点（向好）``, ``↓ 减少 0.3 个工作日（向好）``, ``持平``, ``上期无数据``."""
    current, previous = change.current, change.previous
    if current.value is None:
        return "本期无数据"
    if previous is None or previous.value is None:
        return "上期无数据"
    delta = change.delta or 0.0
    if delta == 0:
        return "持平"
    percent = current.unit == PERCENT
    up = delta > 0
    verb = ("上升" if up else "下降") if percent else ("增加" if up else "减少")
    amount = one_place(abs(delta)) or 0.0
    if percent:
        size = f"{amount:.1f} 个百分点" if amount else "不足 0.1 个百分点"
    elif current.indicator.formula.form == COUNT:
        size = f"{abs(round(delta))} 件"
    else:
        size = f"{amount:.1f} 个{current.unit}" if amount else f"不足 0.1 个{current.unit}"
    way = "向好" if change.improved else "变差"
    return f"{'↑' if up else '↓'} {verb} {size}（{way}）"


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator overall: this period, the previous one, and what it means."""

    indicator: Indicator
    current: Figure
    previous: Figure | None
    change: Change

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
    def is_percent(self) -> bool:
        return self.indicator.unit == PERCENT

    @property
    def target(self) -> float:
        return self.indicator.target

    @property
    def target_text(self) -> str:
        return target_text(self.indicator)

    @property
    def direction_text(self) -> str:
        return INDICATOR_DIRECTIONS.label(self.indicator.direction)

    @property
    def definition(self) -> str:
        return self.indicator.definition

    @property
    def basis(self) -> str:
        return self.indicator.basis or ""

    @property
    def formula_text(self) -> str:
        return formula_text(self.indicator)

    @property
    def delta(self) -> float | None:
        """The change rounded to one place (percentage points for a percentage)."""
        return one_place(self.change.delta)

    @property
    def improved(self) -> bool | None:
        return self.change.improved

    @property
    def change_text(self) -> str:
        return change_text(self.change)


@dataclass(frozen=True)
class ItemRow:
    """The indicators for one item, in the order of :attr:`Report.indicators`."""

    code: str
    name: str
    department: str
    figures: tuple[Figure, ...]
    in_catalog: bool = True


# --- 差评 cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A 差评 case opened in the period and how it was handled."""

    case_no: str
    rating_no: str
    rated_receipt: str
    item: str
    department: str
    level: int | None
    comment: str
    named: bool
    opened: dt.date | None
    due: dt.date | None
    status: str
    visited: dt.date | None
    visit_method: str
    visit_satisfaction: str
    visit_note: str
    outcome: str
    outcome_text: str
    decision: str
    closed: dt.date | None
    timeliness: str
    """按期办结, 超期办结, 逾期未办结 or 办理中."""
    overdue: bool

    @property
    def level_text(self) -> str:
        if self.level is None:
            return DASH
        return f"{self.level} {SATISFACTION_LEVELS.label(str(self.level))}"

    @property
    def named_text(self) -> str:
        return "实名" if self.named else "匿名"

    @property
    def visit_text(self) -> str:
        """``2026-07-16 电话回访，满意度 2 满意：已联系`` or why there was none."""
        if self.visited is None and not self.visit_method:
            return "未回访" if self.named else "匿名评价，无法回访"
        parts = [
            p for p in (_iso(self.visited), f"{self.visit_method}回访" if self.visit_method else "") if p
        ]
        text = " ".join(parts) or "已回访"
        if self.visit_satisfaction:
            text += f"，满意度 {self.visit_satisfaction}"
        return f"{text}：{self.visit_note}" if self.visit_note else text

    @property
    def outcome_full(self) -> str:
        """``整改：已调整排班`` (with the review decision of an appeal), or ``尚未办结``."""
        if not self.outcome:
            return "尚未办结"
        text = f"{self.outcome}：{self.outcome_text}" if self.outcome_text else self.outcome
        return f"{text}（复核结论：{self.decision}）" if self.decision else text


@dataclass(frozen=True)
class CaseSummary:
    total: int
    named: int
    visited: int
    named_visited: int
    closed: int
    on_time: int
    closed_late: int
    open_overdue: int
    open_in_time: int
    by_outcome: tuple[tuple[str, int], ...]


# --- complaints and suggestions ------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintRow:
    receipt_no: str
    type: str
    item: str
    subject: str
    submitted: dt.date | None
    reply_due: dt.date | None
    replied: dt.date | None
    status: str
    reply: str
    timeliness: str
    """按时答复, 超期答复, 逾期未答复 or 待答复."""
    on_time: bool | None
    """True answered in time, False late or overdue, None not due yet."""


@dataclass(frozen=True)
class ComplaintSummary:
    total: int
    complaints: int
    suggestions: int
    replied: int
    on_time: int
    late: int
    overdue: int
    pending: int

    @property
    def due(self) -> int:
        """Answered, or unanswered past the reply period: those whose timeliness is decided."""
        return self.replied + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return one_place(100 * self.on_time / self.due) if self.due else None

    @property
    def on_time_text(self) -> str:
        rate = self.on_time_rate
        return f"{rate:.1f}%（{self.on_time}/{self.due}）" if rate is not None else NO_DATA


# --- improvement measures ------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    measure_no: str
    title: str
    source: str
    owner: str
    due: dt.date | None
    status: str
    effect: str
    public: bool

    @property
    def public_text(self) -> str:
        return "已公开" if self.public else "未公开"


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    platform: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    as_of: dt.date
    """The day the figures were taken: what was not due by then is not counted late."""
    indicators: tuple[IndicatorRow, ...]
    items: tuple[ItemRow, ...]
    items_total: int
    """Items in the catalog."""
    items_rated: int
    """Items with at least one rating in the period (9.1: the evaluation covers every item)."""
    ratings_by_level: tuple[tuple[str, int], ...]
    """(``1 非常满意``, count) … for the ratings of the period."""
    cases: tuple[CaseRow, ...]
    case_summary: CaseSummary
    complaints: tuple[ComplaintRow, ...]
    complaint_summary: ComplaintSummary
    measures: tuple[MeasureRow, ...]

    @property
    def title(self) -> str:
        return f"{self.platform}服务评价报告"

    @property
    def period_text(self) -> str:
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    @property
    def previous_text(self) -> str:
        return f"{cn_date(self.previous_start)}至{cn_date(self.previous_end)}"

    @property
    def unfinished(self) -> bool:
        """The period was not over when the figures were taken."""
        return self.as_of <= self.end

    @property
    def percent_indicators(self) -> tuple[IndicatorRow, ...]:
        return tuple(row for row in self.indicators if row.is_percent)

    @property
    def satisfaction_index(self) -> int | None:
        """Where 满意率 (satisfied ratings over all ratings) is in :attr:`indicators`."""
        for index, row in enumerate(self.indicators):
            formula = row.indicator.formula
            if formula.numerator == ["satisfied_ratings"] and formula.denominator == ["ratings"]:
                return index
        for index, row in enumerate(self.indicators):
            if row.id == "satisfaction-rate":
                return index
        return None

    @property
    def met_count(self) -> tuple[int, int, int]:
        """(met, not met, without data) over the indicators."""
        found = Counter(row.current.met for row in self.indicators)
        return found[True], found[False], found[None]

    @property
    def ratings_total(self) -> int:
        return sum(n for _, n in self.ratings_by_level)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


# --- building -----------------------------------------------------------------------------------


def build(
    catalog: Catalog,
    records_by_kind: Mapping[str, Iterable[Record]],
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> Report:
    """The report over the days ``start`` to ``end`` (both included) from all stored records.

    ``as_of`` is the day the figures are taken (by default the day after ``end``): a reply,
    case or return visit due later is not counted late, and the lists say what was overdue by
    then. Raises ValueError when ``end`` is before ``start``.
    """
    records = {kind: list(records_by_kind.get(kind, ())) for kind in KINDS}
    taken = end + _ONE_DAY if as_of is None else as_of
    before = previous_period(start, end)
    indicators = list(catalog.indicators)

    current = compute(indicators, records, start, end, as_of=taken)
    previous = compute(indicators, records, *before, as_of=max(taken, before[1] + _ONE_DAY))
    rows = tuple(
        IndicatorRow(
            change.current.indicator,
            Figure(change.current),
            Figure(change.previous) if change.previous else None,
            change,
        )
        for change in compare(current, previous)
    )
    finder = ItemFinder(records)
    items = _item_rows(catalog, indicators, records, finder, start, end, taken)
    names = _people(records)
    cases = _case_rows(catalog, records, finder, names, start, end, taken)
    complaints = _complaint_rows(catalog, records, finder, start, end, taken)
    ratings = [r for r in records["rating"] if _within(r.get("submitted_at"), start, end)]
    levels = Counter(str(r.get("level")) for r in ratings)
    catalog_codes = {item.implementation_code for item in catalog.items.values()}
    rated = {finder.code(r) for r in ratings} & catalog_codes
    return Report(
        platform=catalog.platform.name,
        start=start,
        end=end,
        previous_start=before[0],
        previous_end=before[1],
        as_of=taken,
        indicators=rows,
        items=items,
        items_total=len(catalog.items),
        items_rated=len(rated),
        ratings_by_level=tuple(
            (f"{code} {label}", levels.get(code, 0)) for code, label in SATISFACTION_LEVELS.entries.items()
        ),
        cases=cases,
        case_summary=_case_summary(cases),
        complaints=complaints,
        complaint_summary=_complaint_summary(complaints),
        measures=_measure_rows(catalog, records["measure"], start, end),
    )


def _within(value: object, start: dt.date, end: dt.date) -> bool:
    try:
        day = day_of(value)
    except (TypeError, ValueError):
        return False
    return day is not None and start <= day <= end


def _day(value: object) -> dt.date | None:
    try:
        return day_of(value)
    except (TypeError, ValueError):
        return None


def _department(catalog: Catalog, department_id: object) -> str:
    found = catalog.departments.get(str(department_id or ""))
    if found is None:
        return str(department_id or "") or DASH
    return found.short_name or found.name


def _item_name(catalog: Catalog, item: Mapping[str, Any] | None) -> str:
    if not item:
        return DASH
    for slug, found in catalog.items.items():
        if found.implementation_code == item.get("code") or slug == item.get("slug"):
            return found.name
    return str(item.get("name") or item.get("code") or DASH)


def _item_rows(
    catalog: Catalog,
    indicators: list[Indicator],
    records: Mapping[str, list[Record]],
    finder: ItemFinder,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
) -> tuple[ItemRow, ...]:
    """The items records dated in the period are about, in catalog order (items no longer in
    the catalog last, by code), each with every indicator for it."""
    seen: dict[str, Mapping[str, Any]] = {}
    for kind in INDICATOR_KINDS:
        for record in records.get(kind, ()):
            if not any(_within(record.get(name), start, end) for name in DATED_BY):
                continue
            item = finder.item(record)
            if item and item.get("code"):
                seen.setdefault(str(item["code"]), item)
    order = {item.implementation_code: n for n, item in enumerate(catalog.items.values())}
    by_code = {item.implementation_code: item for item in catalog.items.values()}
    rows = []
    for code in sorted(seen, key=lambda c: (order.get(c, len(order)), c)):
        results = compute(indicators, records, start, end, item_code=code, as_of=as_of)
        known = by_code.get(code)
        rows.append(
            ItemRow(
                code=code,
                name=known.name if known else str(seen[code].get("name") or code),
                department=_department(catalog, known.department) if known else DASH,
                figures=tuple(Figure(r) for r in results),
                in_catalog=known is not None,
            )
        )
    return tuple(rows)


def _people(records: Mapping[str, list[Record]]) -> dict[str, tuple[str, str]]:
    """(name, e-mail) of the person behind each application and consultation, by receipt
    number: only to blank them out of a 差评's texts."""
    found = {}
    for kind in ("application", "consultation"):
        for record in records.get(kind, ()):
            person = record.get("applicant") if kind == "application" else record
            if isinstance(person, Mapping) and record.get("receipt_no"):
                found[str(record["receipt_no"])] = (
                    str(person.get("name") or "").strip(),
                    str(person.get("email") or "").strip(),
                )
    return found


def _clean(text: object, name: str = "", email: str = "") -> str:
    """A text of the records with personal details blanked out and runs of blank space joined."""
    if not isinstance(text, str) or not text.strip():
        return ""
    blanked, _ = redact(" ".join(text.split()), name, email, PERSONAL_PATTERNS)
    return blanked


def _case_rows(
    catalog: Catalog,
    records: Mapping[str, list[Record]],
    finder: ItemFinder,
    people: Mapping[str, tuple[str, str]],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
) -> tuple[CaseRow, ...]:
    ratings = {str(r.get("rating_no")): r for r in records.get("rating", ()) if r.get("rating_no")}
    rows = []
    for case in records.get("case", ()):
        opened_at = next((case[f] for f in OPENED_AT if case.get(f)), None)
        if not _within(opened_at, start, end):
            continue
        rating = ratings.get(str(case.get("rating_no") or ""), {})
        number = str(case.get("case_no") or case.get("receipt_no") or "")
        rated = str(
            case.get("rated_receipt")
            or (case.get("receipt_no") if case.get("case_no") else "")
            or rating.get("receipt_no")
            or ""
        )
        name, email = people.get(rated, ("", ""))
        visit = case.get("return_visit") if isinstance(case.get("return_visit"), Mapping) else {}
        outcome = case.get("outcome") if isinstance(case.get("outcome"), Mapping) else {}
        kind = str(outcome.get("outcome") or outcome.get("type") or "")
        closed = _day(case.get("closed_at") or (outcome.get("at") if kind else None))
        if case.get("status") != CASE_CLOSED:
            closed = None
        due = _day(case.get("due_date"))
        if closed is not None:
            late = due is not None and closed > due
            timeliness = ("超期办结" if late else "按期办结") if due else "已办结"
        else:
            late = due is not None and due < as_of
            timeliness = "逾期未办结" if late else "办理中"
        level = case.get("level", rating.get("level"))
        satisfaction = str(visit.get("satisfaction") or "")
        rows.append(
            CaseRow(
                case_no=number,
                rating_no=str(case.get("rating_no") or ""),
                rated_receipt=rated,
                item=_item_name(catalog, finder.item(case)),
                department=_department(catalog, case.get("department")),
                level=int(level) if str(level or "").isdigit() else None,
                comment=_clean(case.get("comment", rating.get("comment")), name, email),
                named=case_named(case),
                opened=_day(opened_at),
                due=due,
                status=str(case.get("status") or CASE_OPEN),
                visited=_day(visit.get("at")),
                visit_method=str(visit.get("method") or ""),
                visit_satisfaction=(
                    f"{satisfaction} {SATISFACTION_LEVELS.label(satisfaction)}"
                    if satisfaction in SATISFACTION_LEVELS
                    else satisfaction
                ),
                visit_note=_clean(visit.get("note"), name, email),
                outcome=kind,
                outcome_text=_clean(outcome.get("text"), name, email),
                decision=_clean(outcome.get("decision"), name, email),
                closed=closed,
                timeliness=timeliness,
                overdue=late,
            )
        )
    rows.sort(key=lambda row: (row.opened or dt.date.min, row.case_no))
    return tuple(rows)


def _case_summary(cases: Sequence[CaseRow]) -> CaseSummary:
    outcomes = Counter(row.outcome for row in cases if row.outcome)
    return CaseSummary(
        total=len(cases),
        named=sum(1 for row in cases if row.named),
        visited=sum(1 for row in cases if row.visited or row.visit_method),
        named_visited=sum(1 for row in cases if row.named and (row.visited or row.visit_method)),
        closed=sum(1 for row in cases if row.closed),
        on_time=sum(1 for row in cases if row.timeliness == "按期办结"),
        closed_late=sum(1 for row in cases if row.timeliness == "超期办结"),
        open_overdue=sum(1 for row in cases if row.timeliness == "逾期未办结"),
        open_in_time=sum(1 for row in cases if row.timeliness == "办理中"),
        by_outcome=tuple(
            (kind, outcomes[kind]) for kind in ("整改", "解释说明", "申诉复核") if outcomes[kind]
        )
        + tuple(sorted((k, n) for k, n in outcomes.items() if k not in ("整改", "解释说明", "申诉复核"))),
    )


def _complaint_rows(
    catalog: Catalog,
    records: Mapping[str, list[Record]],
    finder: ItemFinder,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
) -> tuple[ComplaintRow, ...]:
    rows = []
    for record in records.get("complaint", ()):
        if not _within(record.get("submitted_at"), start, end):
            continue
        name, email = str(record.get("name") or "").strip(), str(record.get("email") or "").strip()
        reply = record.get("reply") if isinstance(record.get("reply"), Mapping) else {}
        replied = _day(record.get("replied_at") or reply.get("at"))
        due = _day(record.get("reply_due"))
        on_time: bool | None
        if replied is not None:
            on_time = due is None or replied <= due
            timeliness = "按时答复" if on_time else "超期答复"
        elif due is not None and due < as_of:
            on_time, timeliness = False, "逾期未答复"
        else:
            on_time, timeliness = None, "待答复"
        rows.append(
            ComplaintRow(
                receipt_no=str(record.get("receipt_no") or ""),
                type=str(record.get("type") or COMPLAINT),
                item=_item_name(catalog, finder.item(record)) if record.get("item") else "未指定",
                subject=_clean(record.get("subject"), name, email),
                submitted=_day(record.get("submitted_at")),
                reply_due=due,
                replied=replied,
                status=str(record.get("status") or ""),
                reply=_clean(reply.get("text"), name, email),
                timeliness=timeliness,
                on_time=on_time,
            )
        )
    rows.sort(key=lambda row: (row.submitted or dt.date.min, row.receipt_no))
    return tuple(rows)


def _complaint_summary(rows: Sequence[ComplaintRow]) -> ComplaintSummary:
    timeliness = Counter(row.timeliness for row in rows)
    return ComplaintSummary(
        total=len(rows),
        complaints=sum(1 for row in rows if row.type == COMPLAINT),
        suggestions=sum(1 for row in rows if row.type == SUGGESTION),
        replied=timeliness["按时答复"] + timeliness["超期答复"],
        on_time=timeliness["按时答复"],
        late=timeliness["超期答复"],
        overdue=timeliness["逾期未答复"],
        pending=timeliness["待答复"],
    )


def _measure_rows(
    catalog: Catalog, measures: Iterable[Record], start: dt.date, end: dt.date
) -> tuple[MeasureRow, ...]:
    """The improvement measures that concern the period: planned, due or completed in it, or
    still under way at its end (9.3 d: followed until done)."""
    rows = []
    for record in measures:
        if not measure_concerns(record, start, end):
            continue
        due = _day(record.get("due_date"))
        status = str(record.get("status") or "")
        rows.append(
            MeasureRow(
                measure_no=str(record.get("measure_no") or record.get("receipt_no") or ""),
                title=_clean(record.get("title")),
                source=str(record.get("source") or DASH),
                owner=_owner(catalog, record.get("owner")),
                due=due,
                status=status or DASH,
                effect=_clean(record.get("effect")),
                public=bool(record.get("public")),
            )
        )
    rows.sort(key=lambda row: row.measure_no)
    return tuple(rows)


def measure_concerns(record: Record, start: dt.date, end: dt.date) -> bool:
    """Whether an improvement measure concerns the period: planned, due or completed in it, or
    still under way at its end (9.3 d: followed until done)."""
    created = _day(record.get("created_at") or record.get("submitted_at"))
    completed = _day(record.get("completed_at") or record.get("closed_at"))
    dated = [d for d in (created, _day(record.get("due_date")), completed) if d is not None]
    return (
        not dated
        or any(start <= d <= end for d in dated)
        or (record.get("status") != MEASURE_DONE and (created is None or created <= end))
    )


def _owner(catalog: Catalog, owner: object) -> str:
    """The department responsible for a measure, by its identifier or name; anything else as
    recorded, with phone numbers and e-mail addresses blanked out."""
    text = str(owner or "").strip()
    if not text:
        return DASH
    for department_id, department in catalog.departments.items():
        if text in (department_id, department.name, department.short_name):
            return department.short_name or department.name
    return _clean(text)
