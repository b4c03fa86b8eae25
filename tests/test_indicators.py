"""The 服务评价指标体系: ``catalog/indicators.yml`` (schema and rules) and the computation of
every indicator over hand-made records (:mod:`forms_api.domain.evaluation.indicators`).

The records below are few enough to count by hand; each expected figure says where it comes
from. Working days follow the published 2026 calendar: 25 September (中秋) and 1–7 October
(国庆) are holidays, Saturday 10 October is a make-up working day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from forms_api.cli.main import main
from forms_api.domain.evaluation.indicators import (
    Change,
    Result,
    compare,
    compute,
    day_of,
    items_seen,
    previous_period,
)
from generator.catalog import Catalog, check_catalog, load_catalog
from generator.schema import FILE_KINDS, Indicator
from generator.schema.tables import INDICATOR_COUNTS
from generator.schema_export import modeline
from tests.conftest import SAMPLE_CATALOG, CatalogCopy

INDICATORS = "indicators.yml"
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEP = (dt.date(2026, 8, 31), dt.date(2026, 9, 30))  # the 31 days before October

A = {"code": "A001", "slug": "pledge", "name": "专利权质押登记"}
B = {"code": "B002", "slug": "filing", "name": "专利实施许可合同备案"}


def at(day: str, time: str = "10:00") -> str:
    return f"2026-{day}T{time}:00+08:00"


def correction(day: str) -> dict[str, Any]:
    return {
        "requested_at": at(day, "09:00"),
        "materials": [],
        "note": "补正",
        "received_at": at(day, "16:00"),
    }


def application(no: str, item: dict[str, str], status: str, submitted: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "application",
        "receipt_no": no,
        "item": item,
        "status": status,
        "submitted_at": submitted,
        **extra,
    }


def rating(no: str, submitted: str, level: int, **target: Any) -> dict[str, Any]:
    return {
        "kind": "rating",
        "rating_no": no,
        "submitted_at": submitted,
        "level": level,
        "bad": level >= 4,
        "comment": "",
        **target,
    }


APPLICATIONS = [
    # September: accepted 1 Sep, completed 3 Sep on time, 2 working days (2 and 3 Sep).
    application(
        "SQ-A0",
        A,
        "已办结",
        at("09-01"),
        accepted_at=at("09-01"),
        completed_at=at("09-03"),
        due_date="2026-09-04",
        completed_late=False,
        completed_overdue_days=0,
    ),
    # Accepted in September, completed 9 Oct on time: 29, 30 Sep, 8, 9 Oct = 4 working days.
    application(
        "SQ-A1",
        A,
        "已办结",
        at("09-25"),
        accepted_at=at("09-28"),
        completed_at=at("10-09", "15:00"),
        due_date="2026-10-09",
        completed_late=False,
        completed_overdue_days=0,
    ),
    # Two correction requests (not 一次性告知); accepted Fri 9 Oct, completed Mon 12 Oct one
    # working day late: Sat 10 Oct (调休) and 12 Oct = 2 working days.
    application(
        "SQ-A2",
        A,
        "已办结",
        at("10-08"),
        accepted_at=at("10-09", "09:00"),
        completed_at=at("10-12", "16:00"),
        due_date="2026-10-10",
        completed_late=True,
        completed_overdue_days=1,
        corrections=[correction("10-08"), correction("10-08")],
    ),
    # An older record without completed_late: completed 15 Oct after its due date 14 Oct, so
    # late; 13, 14, 15 Oct = 3 working days; two corrections.
    application(
        "SQ-A4",
        A,
        "已办结",
        at("10-09"),
        accepted_at=at("10-12"),
        completed_at=at("10-15"),
        due_date="2026-10-14",
        corrections=[correction("10-09"), correction("10-13")],
    ),
    # 即办件 after one correction: accepted and completed on 13 Oct, 0 working days.
    application(
        "SQ-B1",
        B,
        "已办结",
        at("10-12"),
        accepted_at=at("10-13"),
        completed_at=at("10-13", "11:00"),
        due_date="2026-10-13",
        completed_late=False,
        completed_overdue_days=0,
        corrections=[correction("10-12")],
    ),
    # Accepted 20 Oct, still being handled, no correction.
    application("SQ-B2", B, "办理中", at("10-19"), accepted_at=at("10-20"), due_date="2026-10-30"),
    # Refused: never accepted, so in no accepted or completed figure.
    application("SQ-A3", A, "不予受理", at("10-20")),
]

CONSULTATIONS = [
    # Due 30 Sep, answered 29 Sep: September, on time.
    {
        "kind": "consultation",
        "receipt_no": "ZX4",
        "item": None,
        "status": "已答复",
        "submitted_at": at("09-24"),
        "reply_due": "2026-09-30",
        "replied_at": at("09-29"),
    },
    # Submitted Fri 9 Oct, due 13 Oct, answered 12 Oct: on time; 10 and 12 Oct = 2 working days.
    {
        "kind": "consultation",
        "receipt_no": "ZX1",
        "item": A,
        "status": "已答复",
        "submitted_at": at("10-09"),
        "reply_due": "2026-10-13",
        "replied_at": at("10-12"),
    },
    # Submitted Sat 10 Oct (a working day), due 14 Oct, answered 15 Oct: late; 12–15 Oct = 4.
    {
        "kind": "consultation",
        "receipt_no": "ZX2",
        "item": None,
        "status": "已答复",
        "submitted_at": at("10-10"),
        "reply_due": "2026-10-14",
        "replied_at": at("10-15"),
    },
    # Due 30 Oct and never answered: late once 30 Oct is over.
    {
        "kind": "consultation",
        "receipt_no": "ZX3",
        "item": B,
        "status": "已分派",
        "submitted_at": at("10-27"),
        "reply_due": "2026-10-30",
    },
]


def complaint(
    no: str, type: str, item: dict[str, str] | None, submitted: str, due: str, **extra: Any
) -> dict:
    """A complaint or suggestion as forms_api.domain.submissions keeps it: due ``complaint_reply_days``
    (3) working days after it arrives; answering it sets ``replied_at``."""
    return {
        "kind": "complaint",
        "type": type,
        "receipt_no": no,
        "item": item,
        "status": "已答复" if "replied_at" in extra else "已提交",
        "submitted_at": submitted,
        "reply_due": due,
        **extra,
    }


COMPLAINTS = [
    # Submitted Sat 10 Oct (a working day), due Wed 14 Oct, answered the same day: on time.
    complaint("TS5", "投诉", B, at("10-10"), "2026-10-14", replied_at=at("10-10", "15:00")),
    # Submitted Mon 12 Oct, due Thu 15 Oct, answered 14 Oct: on time.
    complaint("TS1", "投诉", A, at("10-12"), "2026-10-15", replied_at=at("10-14")),
    # A suggestion naming no item: due Fri 16 Oct, answered Mon 19 Oct: late.
    complaint("TS2", "建议", None, at("10-13"), "2026-10-16", replied_at=at("10-19")),
    # Submitted Wed 21 Oct, due Mon 26 Oct, never answered: late once 26 Oct is over.
    complaint("TS3", "投诉", B, at("10-21"), "2026-10-26"),
    # Submitted Wed 28 Oct, due Mon 2 Nov, not answered: due in November, in no October figure.
    complaint("TS4", "投诉", A, at("10-28"), "2026-11-02"),
]

RATINGS = [
    rating("PJ-R1", at("10-10"), 1, receipt_no="SQ-A1"),  # item A through the application
    rating("PJ-R2", at("10-11"), 2, item=B),  # a rating of B's guide
    rating("PJ-R3", at("10-13"), 3, receipt_no="ZX1"),  # item A through the consultation
    rating("PJ-R4", at("10-14"), 4, receipt_no="SQ-B1"),  # item B, 差评
    rating("PJ-R5", at("10-16"), 5, receipt_no="SQ-A2"),  # item A, 差评
    # 16:30 UTC on 30 Sep is 00:30 on 1 Oct in China: October. 差评 of B.
    rating("PJ-R8", "2026-09-30T16:30:00Z", 4, item=B),
    rating("PJ-R6", "2026-09-30T23:30:00+08:00", 2, item=B),  # still 30 Sep: September
    rating("PJ-R9", at("09-15"), 4, item=A),  # September
    rating("PJ-R10", at("09-20"), 5, item=A),  # September
    rating("PJ-R7", "2026-11-01T00:10:00+08:00", 1, item=A),  # November: in neither period
]


def case(
    no: str, rating_no: str, item: dict[str, str], submitted: str, named: bool, **extra: Any
) -> dict[str, Any]:
    """A 差评 case as the console opens it (forms_api.domain.submissions): numbered CP…, opened at the
    rating's time (``submitted_at``), ``named`` when the rating came with a receipt number."""
    return {
        "kind": "case",
        "receipt_no": no,
        "rating_no": rating_no,
        "named": named,
        "item": item,
        "department": "d",
        "status": "待处理",
        "submitted_at": submitted,
        "due_date": "2026-12-31",
        **extra,
    }


def visited(day: str) -> dict[str, Any]:
    return {"method": "电话", "satisfaction": "2", "note": "已联系", "at": at(day), "by": "回访员"}


def closed(day: str, outcome: str) -> dict[str, Any]:
    return {
        "status": "已办结",
        "outcome": {"outcome": outcome, "text": "处理说明", "at": at(day), "by": "督办人员"},
        "closed_at": at(day),
    }


CASES = [
    # 差评 PJ-R4 (B, through SQ-B1): visited, closed with 整改.
    case("CP1", "PJ-R4", B, at("10-14"), True, return_visit=visited("10-15"), **closed("10-16", "整改")),
    # 差评 PJ-R5 (A, through SQ-A2): visited, not closed yet.
    case("CP2", "PJ-R5", A, at("10-16"), True, status="已回访", return_visit=visited("10-19")),
    # 差评 PJ-R8, a rating of B's guide page: anonymous, so it cannot be visited; untouched.
    case("CP3", "PJ-R8", B, "2026-09-30T16:30:00Z", False),
    # September: visited and explained.
    case("CP4", "PJ-R9", A, at("09-15"), True, return_visit=visited("09-16"), **closed("09-17", "解释说明")),
    # September, in the shape the brief gave: opened_at, the rated receipt_no (so named, and
    # item A through SQ-A0), the outcome's kind as ``type``.
    {
        "kind": "case",
        "case_no": "CP5",
        "rating_no": "PJ-R10",
        "receipt_no": "SQ-A0",
        "department": "d",
        "opened_at": at("09-20", "11:00"),
        "due_date": "2026-09-25",
        "status": "已办结",
        "return_visit": {"at": at("09-21"), "by": "回访员", "satisfaction": 2, "note": ""},
        "outcome": {"type": "整改", "text": "已整改"},
        "closed_at": at("09-22"),
    },
]

VISITS = [
    {"kind": "visit", "visit_no": "HF1", "receipt_no": "SQ-A1", "item": A, "scheduled_at": at("10-16"),
     "status": "已回访", "visited_at": at("10-16"), "satisfaction": 1},
    {"kind": "visit", "visit_no": "HF2", "receipt_no": "SQ-B1", "item": B, "scheduled_at": at("10-20"),
     "status": "待回访"},
    {"kind": "visit", "visit_no": "HF3", "receipt_no": "SQ-A2", "item": A, "scheduled_at": at("10-30"),
     "status": "待回访"},
]  # fmt: skip

RECORDS = {
    "application": APPLICATIONS,
    "consultation": CONSULTATIONS,
    "complaint": COMPLAINTS,
    "rating": RATINGS,
    "case": CASES,
    "visit": VISITS,
}


def indicator(
    id: str, formula: dict[str, Any], unit: str, target: float = 0, direction: str = "higher"
) -> Indicator:
    return Indicator.model_validate(
        {
            "id": id,
            "name": id,
            "definition": "测试用指标。",
            "formula": formula,
            "unit": unit,
            "target": target,
            "direction": direction,
        }
    )


def by_id(results: list[Result]) -> dict[str, Result]:
    return {r.id: r for r in results}


def figures(results: list[Result]) -> dict[str, tuple[float | None, int, int | None]]:
    """(value rounded to 2 places, numerator, denominator) by indicator id."""
    return {
        r.id: (None if r.value is None else round(r.value, 2), r.numerator, r.denominator) for r in results
    }


# --- the sample catalog -----------------------------------------------------------------------------


def test_the_sample_catalog_ships_its_indicators(catalog: Catalog) -> None:
    shown = {
        i.name: (i.unit, i.direction, i.formula.model_dump(exclude_none=True)) for i in catalog.indicators
    }
    assert shown == {
        "满意率": ("百分比", "higher", {"numerator": ["satisfied_ratings"], "denominator": ["ratings"]}),
        "差评率": ("百分比", "lower", {"numerator": ["bad_ratings"], "denominator": ["ratings"]}),
        "差评整改率": ("百分比", "higher", {"numerator": ["cases_resolved"], "denominator": ["cases"]}),
        "回访率": (
            "百分比",
            "higher",
            {
                "numerator": ["cases_visited", "visits_done"],
                "denominator": ["cases_named", "visits_scheduled"],
            },
        ),
        "按时办结率": (
            "百分比",
            "higher",
            {"numerator": ["applications_completed_on_time"], "denominator": ["applications_completed"]},
        ),
        "一次性告知率": (
            "百分比",
            "higher",
            {"numerator": ["applications_told_once"], "denominator": ["applications_accepted"]},
        ),
        "咨询答复及时率": (
            "百分比",
            "higher",
            {"numerator": ["consultations_replied_on_time"], "denominator": ["consultations_due"]},
        ),
        "投诉建议答复及时率": (
            "百分比",
            "higher",
            {"numerator": ["complaints_replied_on_time"], "denominator": ["complaints_due"]},
        ),
        "平均办理时长（工作日）": ("工作日", "lower", {"average": "handling_workdays"}),
    }
    satisfaction = next(i for i in catalog.indicators if i.name == "满意率")
    # The folded lines of the definition are joined without a space between Chinese characters.
    assert "所占的百分比。评价包括" in satisfaction.definition
    assert all(i.definition and i.target >= 0 for i in catalog.indicators)
    # Shown per item on the public results page, and on each item's guide.
    assert [i.id for i in catalog.indicators if i.per_item] == [
        "satisfaction-rate",
        "on-time-completion-rate",
    ]
    assert [i.id for i in catalog.indicators if i.guide] == ["satisfaction-rate"]
    complaints = next(i for i in catalog.indicators if i.id == "complaint-reply-timeliness-rate")
    assert (complaints.name, complaints.target, complaints.public) == ("投诉建议答复及时率", 100, True)
    assert "complaint_reply_days，现为 3 个工作日" in complaints.definition


def test_the_indicators_kind_is_registered_with_its_schema() -> None:
    kind = next(k for k in FILE_KINDS if k.name == "indicators")
    assert (kind.label, kind.pattern, kind.required) == ("服务评价指标体系", INDICATORS, ())
    assert (SAMPLE_CATALOG / "schema" / kind.schema_file).is_file()
    first = (SAMPLE_CATALOG / INDICATORS).read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == modeline(kind, INDICATORS)


def test_the_indicators_file_is_optional(catalog_copy: CatalogCopy) -> None:
    assert not (catalog_copy.root / INDICATORS).exists()
    assert load_catalog(catalog_copy.root).indicators == []


# --- computing: October 2026, overall --------------------------------------------------------------


def test_every_sample_indicator_over_october(catalog: Catalog) -> None:
    results = compute(catalog.indicators, RECORDS, *OCT)
    assert figures(results) == {
        # October ratings: R1 (1), R2 (2), R3 (3), R4 (4), R5 (5) and R8 (4, 00:30 on 1 Oct in
        # China); R6 is 30 Sep, R7 1 Nov. Levels 1–3: R1, R2, R3 = 3 of 6.
        "satisfaction-rate": (50.0, 3, 6),
        # 差评 (4, 5): R4, R5, R8 = 3 of 6.
        "bad-rating-rate": (50.0, 3, 6),
        # Cases opened in October: CP1, CP2, CP3; closed with an outcome: CP1 only.
        "bad-rating-rectification-rate": (33.33, 1, 3),
        # Visited cases CP1, CP2 (2) + visits done HF1 (1), over named cases CP1, CP2 (2; CP3
        # is anonymous) + visits planned in October HF1, HF2, HF3 (3): 3 of 5.
        "return-visit-rate": (60.0, 3, 5),
        # Completed in October: A1, A2, B1, A4; on time: A1, B1 (A2 flagged late, A4 after
        # its due date).
        "on-time-completion-rate": (50.0, 2, 4),
        # Accepted in October: A2 (2 corrections), A4 (2), B1 (1), B2 (0); A1 was accepted in
        # September, A3 refused. At most one correction: B1, B2.
        "one-time-notification-rate": (50.0, 2, 4),
        # Due in October: ZX1 (on time), ZX2 (a day late), ZX3 (never answered, due 30 Oct).
        "consultation-reply-timeliness-rate": (33.33, 1, 3),
        # Complaints and suggestions due in October: TS5, TS1 (on time), TS2 (answered late),
        # TS3 (never answered, due 26 Oct); TS4 is due in November.
        "complaint-reply-timeliness-rate": (50.0, 2, 4),
        # A1 4 + A2 2 + B1 0 + A4 3 = 9 working days over 4 applications.
        "average-handling-time": (2.25, 9, 4),
    }
    found = by_id(results)
    # Targets of the sample file: 满意率 ≥ 95, 差评率 ≤ 2, 平均办理时长 ≤ 5 工作日.
    assert found["satisfaction-rate"].met is False
    assert found["bad-rating-rate"].met is False
    assert found["average-handling-time"].met is True
    assert found["satisfaction-rate"].text == "50.0%（3/6）"
    assert found["average-handling-time"].text == "2.3 个工作日（4 件共 9 个工作日）"  # 2.25, half up
    assert found["bad-rating-rectification-rate"].text == "33.3%（1/3）"
    assert all((r.start, r.end, r.item_code) == (*OCT, None) for r in results)


def test_each_count_of_the_vocabulary_over_october() -> None:
    counts = [indicator(name.replace("_", "-"), {"count": name}, "件") for name in INDICATOR_COUNTS.entries]
    results = {r.indicator.formula.count: r for r in compute(counts, RECORDS, *OCT)}
    assert {name: r.value for name, r in results.items()} == {
        "ratings": 6,
        "satisfied_ratings": 3,
        "bad_ratings": 3,
        "applications_submitted": 5,  # A2, A4, B1, B2, A3 (A0, A1 in September)
        "applications_accepted": 4,
        "applications_told_once": 2,
        "applications_completed": 4,
        "applications_completed_on_time": 2,
        "applications_completed_late": 2,
        "consultations_submitted": 3,  # ZX1, ZX2, ZX3
        "consultations_due": 3,
        "consultations_replied_on_time": 1,
        "complaints_due": 4,  # TS5, TS1, TS2, TS3 (TS4 is due in November)
        "complaints_replied_on_time": 2,  # TS5, TS1
        "cases": 3,
        "cases_named": 2,  # CP3 is anonymous
        "cases_visited": 2,
        "cases_resolved": 1,
        "cases_rectified": 1,  # CP1's outcome is 整改
        "visits_scheduled": 3,
        "visits_done": 1,
    }
    assert all(r.denominator is None for r in results.values())
    assert results["bad_ratings"].text == "3 件"
    # September: CP4 explained, CP5 rectified (its outcome written as ``type``), both named
    # (CP5 by its receipt number) and visited.
    september = {r.indicator.formula.count: r.value for r in compute(counts, RECORDS, *SEP)}
    assert [
        september[n] for n in ("cases", "cases_named", "cases_visited", "cases_resolved", "cases_rectified")
    ] == [
        2,
        2,
        2,
        2,
        1,
    ]


def test_on_time_is_the_workflow_flag_else_the_due_date() -> None:
    def done(no: str, completed: str, **extra: Any) -> dict[str, Any]:
        return application(
            no, A, "已办结", at("10-09"), accepted_at=at("10-09"), completed_at=at(completed), **extra
        )

    records = {
        "application": [
            done("SQ-1", "10-14", due_date="2026-10-14"),  # no flag, on the due day: on time
            done("SQ-2", "10-15", due_date="2026-10-14"),  # no flag, a day after: late
            # The flag decides: the workflow set it from the due date as it stood then (a
            # pause for corrections may have moved it since).
            done("SQ-3", "10-15", due_date="2026-10-14", completed_late=False),
            done("SQ-5", "10-12"),  # neither flag nor due date: nothing to be late for
        ]
    }
    on_time = indicator(
        "on-time",
        {"numerator": "applications_completed_on_time", "denominator": "applications_completed"},
        "百分比",
    )
    late = indicator("late", {"count": "applications_completed_late"}, "件")
    result, late_count = compute([on_time, late], records, *OCT)
    assert (result.numerator, result.denominator, late_count.value) == (3, 4, 1)  # SQ-1, 3, 5 on time


def test_average_reply_time_in_working_days() -> None:
    reply = indicator("reply-time", {"average": "reply_workdays"}, "工作日", target=3, direction="lower")
    (result,) = compute([reply], RECORDS, *OCT)
    # Answered in October: ZX1 (9 → 12 Oct: 10, 12 = 2) and ZX2 (10 → 15 Oct: 12–15 = 4).
    assert (result.value, result.numerator, result.denominator, result.met) == (3.0, 6, 2, True)


def test_working_days_skip_national_day_and_count_the_make_up_saturday() -> None:
    records = {
        "application": [
            # 30 Sep → 8 Oct: 1–7 Oct are holidays, so 8 calendar days are 1 working day.
            application("SQ-1", A, "已办结", at("09-29"), accepted_at=at("09-30"), completed_at=at("10-08")),
            # Fri 9 Oct → Mon 12 Oct: Saturday 10 Oct is a working day, so 2.
            application("SQ-2", A, "已办结", at("10-09"), accepted_at=at("10-09"), completed_at=at("10-12")),
            # Not completed: not measured.
            application("SQ-3", A, "办理中", at("10-09"), accepted_at=at("10-09")),
        ]
    }
    handling = indicator("handling", {"average": "handling_workdays"}, "工作日", target=5, direction="lower")
    (result,) = compute([handling], records, *OCT)
    assert (result.value, result.numerator, result.denominator) == (1.5, 3, 2)


def test_as_of_leaves_out_what_is_not_yet_due(catalog: Catalog) -> None:
    found = by_id(compute(catalog.indicators, RECORDS, *OCT, as_of=dt.date(2026, 10, 30)))
    # On 30 Oct ZX3 (due that day) is not late yet: ZX1 on time, ZX2 late.
    assert figures([found["consultation-reply-timeliness-rate"]])["consultation-reply-timeliness-rate"] == (
        50.0,
        1,
        2,
    )
    # HF3 is planned for 30 Oct and not yet due; HF2 (20 Oct) is: (2 + 1) / (2 + 2).
    assert figures([found["return-visit-rate"]])["return-visit-rate"] == (75.0, 3, 4)


def test_complaint_reply_timeliness_leaves_out_what_is_not_yet_due(catalog: Catalog) -> None:
    timeliness = next(i for i in catalog.indicators if i.id == "complaint-reply-timeliness-rate")

    def figure(start: dt.date, end: dt.date, as_of: dt.date | None = None) -> tuple:
        (result,) = compute([timeliness], RECORDS, start, end, as_of=as_of)
        return (
            None if result.value is None else round(result.value, 2),
            result.numerator,
            result.denominator,
        )

    # Over October, taken on 1 Nov: TS5, TS1 on time, TS2 answered late, TS3 unanswered
    # past its due day (26 Oct).
    assert figure(*OCT) == (50.0, 2, 4)
    # Taken on 26 Oct, TS3 is due that very day: not late yet, left out.
    assert figure(*OCT, as_of=dt.date(2026, 10, 26)) == (66.67, 2, 3)
    # Taken on 27 Oct, TS3's due day is over: late.
    assert figure(*OCT, as_of=dt.date(2026, 10, 27)) == (50.0, 2, 4)
    # TS4 is due Mon 2 Nov and unanswered: nothing to count on that day, late after it.
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert figure(*november, as_of=dt.date(2026, 11, 2)) == (None, 0, 0)
    assert figure(*november, as_of=dt.date(2026, 11, 3)) == (0.0, 0, 1)
    # Consultations are not complaints, and complaints are not consultations.
    only_consultations = {"consultation": CONSULTATIONS}
    assert compute([timeliness], only_consultations, *OCT)[0].denominator == 0


# --- empty denominators ---------------------------------------------------------------------------


def test_a_period_without_records_has_no_values_but_shows_its_counts(catalog: Catalog) -> None:
    results = compute(catalog.indicators, RECORDS, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [(r.value, r.numerator, r.denominator, r.met) for r in results] == [(None, 0, 0, None)] * len(
        results
    )
    assert by_id(results)["satisfaction-rate"].text == "无数据（0/0）"
    assert by_id(results)["average-handling-time"].text == "无数据（0 件共 0 个工作日）"
    assert compute(catalog.indicators, {}, *OCT)[0].value is None  # no records at all


def test_an_empty_denominator_does_not_hide_the_others(catalog: Catalog) -> None:
    # Item B's one consultation due in October (ZX3) was never answered: 0 of 1 is a value of
    # 0, not None. An item no record names has no value anywhere.
    b = by_id(compute(catalog.indicators, RECORDS, *OCT, item_code="B002"))
    assert figures([b["consultation-reply-timeliness-rate"]])["consultation-reply-timeliness-rate"] == (
        0.0,
        0,
        1,
    )
    nothing = by_id(compute(catalog.indicators, RECORDS, *OCT, item_code="C003"))
    assert all(r.value is None and r.denominator == 0 for r in nothing.values())


# --- per item -------------------------------------------------------------------------------------


def test_per_item_figures_follow_receipts_ratings_and_cases(catalog: Catalog) -> None:
    a = figures(compute(catalog.indicators, RECORDS, *OCT, item_code="A001"))
    b = figures(compute(catalog.indicators, RECORDS, *OCT, item_code="B002"))
    # Ratings of A: R1 and R5 (through applications SQ-A1, SQ-A2), R3 (through consultation
    # ZX1) → levels 1, 3, 5. Of B: R2, R8 (own item), R4 (through SQ-B1) → 2, 4, 4.
    assert a["satisfaction-rate"] == (66.67, 2, 3)
    assert b["satisfaction-rate"] == (33.33, 1, 3)
    assert a["bad-rating-rate"] == (33.33, 1, 3)
    assert b["bad-rating-rate"] == (66.67, 2, 3)
    # Cases of A: CP2, open. Of B: CP1, resolved, and CP3, untouched.
    assert a["bad-rating-rectification-rate"] == (0.0, 0, 1)
    assert b["bad-rating-rectification-rate"] == (50.0, 1, 2)
    # A: CP2 visited + HF1 done over CP2 + HF1, HF3. B: CP1 visited over CP1 (CP3 is
    # anonymous) + HF2.
    assert a["return-visit-rate"] == (66.67, 2, 3)
    assert b["return-visit-rate"] == (50.0, 1, 2)
    # Completed: A1, A2, A4 of A (on time A1; 4 + 2 + 3 working days); B1 of B (0 days).
    assert a["on-time-completion-rate"] == (33.33, 1, 3)
    assert b["on-time-completion-rate"] == (100.0, 1, 1)
    assert a["average-handling-time"] == (3.0, 9, 3)
    assert b["average-handling-time"] == (0.0, 0, 1)
    # Accepted: A2, A4 of A (both corrected twice); B1, B2 of B.
    assert a["one-time-notification-rate"] == (0.0, 0, 2)
    assert b["one-time-notification-rate"] == (100.0, 2, 2)
    # Consultations due: ZX1 of A (on time), ZX3 of B (late); ZX2 names no item.
    assert a["consultation-reply-timeliness-rate"] == (100.0, 1, 1)
    # Complaints due in October: TS1 of A (on time); TS5 (on time) and TS3 (never answered)
    # of B; TS2 names no item, TS4 is due in November.
    assert a["complaint-reply-timeliness-rate"] == (100.0, 1, 1)
    assert b["complaint-reply-timeliness-rate"] == (50.0, 1, 2)
    met = by_id(compute(catalog.indicators, RECORDS, *OCT, item_code="B002"))
    assert met["on-time-completion-rate"].met is True  # target 100
    assert met["on-time-completion-rate"].item_code == "B002"


def test_a_case_in_the_brief_shape_finds_its_item_and_whether_it_is_named() -> None:
    def brief_case(no: str, rating_no: str, **extra: Any) -> dict[str, Any]:
        return {
            "kind": "case",
            "case_no": no,
            "rating_no": rating_no,
            "opened_at": at("10-12"),
            "status": "待处理",
            **extra,
        }

    records = {
        "application": [
            application("SQ-1", A, "已办结", at("10-09")),
            application("SQ-2", A, "已办结", at("10-09")),
        ],
        "rating": [
            rating("PJ-1", at("10-12"), 5, receipt_no="SQ-1"),
            rating("PJ-2", at("10-12"), 4, item=B),
            rating("PJ-3", at("10-12"), 4, receipt_no="SQ-2"),
        ],
        "case": [
            brief_case("C1", "PJ-1", receipt_no="SQ-1"),  # names the rated receipt: named, item A
            brief_case("C2", "PJ-2"),  # anonymous; item B through its rating
            brief_case("C3", "PJ-9"),  # an unknown rating: no item, anonymous
            brief_case("C4", "PJ-3"),  # no receipt_no: anonymous; item A through PJ-3 and SQ-2
        ],
    }
    cases = indicator("cases", {"count": "cases"}, "件")
    named = indicator("cases-named", {"count": "cases_named"}, "件")
    by_item = {
        code: [r.value for r in compute([cases, named], records, *OCT, item_code=code)]
        for code in ("A001", "B002", None)
    }
    assert by_item == {"A001": [2, 1], "B002": [1, 0], None: [4, 1]}


def test_items_seen_lists_the_items_records_name() -> None:
    assert items_seen(RECORDS) == [A, B]
    assert items_seen({}) == []


# --- previous period ------------------------------------------------------------------------------


def test_previous_period_has_the_same_number_of_days() -> None:
    assert previous_period(*OCT) == SEP
    # January to March 2026 is 90 days: 3 Oct to 31 Dec 2025 is 29 + 30 + 31 = 90 days.
    assert previous_period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == (
        dt.date(2025, 10, 3),
        dt.date(2025, 12, 31),
    )
    assert previous_period(dt.date(2026, 10, 8), dt.date(2026, 10, 8)) == (
        dt.date(2026, 10, 7),
        dt.date(2026, 10, 7),
    )


def test_compare_with_the_previous_period(catalog: Catalog) -> None:
    current = compute(catalog.indicators, RECORDS, *OCT)
    before = compute(catalog.indicators, RECORDS, *previous_period(*OCT))
    # September: ratings R6 (2), R9 (4), R10 (5): 1 of 3 satisfied, 2 of 3 bad. Completed: A0,
    # on time, 2 working days. Cases CP4 and CP5, both named, visited and closed. ZX4 answered
    # on time. Accepted: A0 and A1, neither corrected.
    assert figures(before) == {
        "satisfaction-rate": (33.33, 1, 3),
        "bad-rating-rate": (66.67, 2, 3),
        "bad-rating-rectification-rate": (100.0, 2, 2),
        "return-visit-rate": (100.0, 2, 2),
        "on-time-completion-rate": (100.0, 1, 1),
        "one-time-notification-rate": (100.0, 2, 2),
        "consultation-reply-timeliness-rate": (100.0, 1, 1),
        "complaint-reply-timeliness-rate": (None, 0, 0),  # no complaint was due in September
        "average-handling-time": (2.0, 2, 1),
    }
    changes = {c.current.id: c for c in compare(current, before)}
    assert list(changes) == [r.id for r in current]
    moved = {k: (round(c.delta, 2) if c.delta is not None else None, c.improved) for k, c in changes.items()}
    assert moved == {
        "satisfaction-rate": (16.67, True),  # 33.33 → 50: up, and higher is better
        "bad-rating-rate": (-16.67, True),  # 66.67 → 50: down, and lower is better
        "bad-rating-rectification-rate": (-66.67, False),
        "return-visit-rate": (-40.0, False),
        "on-time-completion-rate": (-50.0, False),
        "one-time-notification-rate": (-50.0, False),
        "consultation-reply-timeliness-rate": (-66.67, False),
        "complaint-reply-timeliness-rate": (None, None),  # nothing to compare with
        "average-handling-time": (0.25, False),  # 2 → 2.25 working days: longer is worse
    }


def test_compare_without_a_previous_value_or_without_change(catalog: Catalog) -> None:
    current = compute(catalog.indicators, RECORDS, *OCT, item_code="B002")
    before = compute(catalog.indicators, RECORDS, *SEP, item_code="B002")
    changes = {c.current.id: c for c in compare(current, before)}
    # B had no case in September: nothing to compare with.
    assert changes["bad-rating-rectification-rate"].previous.value is None  # type: ignore[union-attr]
    assert (
        changes["bad-rating-rectification-rate"].delta,
        changes["bad-rating-rectification-rate"].improved,
    ) == (
        None,
        None,
    )
    same = Change(current[0], current[0])
    assert (same.delta, same.improved) == (0.0, None)
    # An indicator the previous results do not have.
    (alone,) = compare(current[:1], [])
    assert (alone.previous, alone.delta, alone.improved) == (None, None, None)


# --- reading records --------------------------------------------------------------------------------


def test_days_are_taken_in_china() -> None:
    assert day_of("2026-09-30T16:30:00Z") == dt.date(2026, 10, 1)
    assert day_of("2026-09-30T23:30:00+08:00") == dt.date(2026, 9, 30)
    assert day_of("2026-10-14") == dt.date(2026, 10, 14)
    assert day_of(None) is None and day_of("") is None


def test_a_period_must_be_dates_in_order(catalog: Catalog) -> None:
    with pytest.raises(ValueError):
        compute(catalog.indicators, RECORDS, dt.date(2026, 10, 31), dt.date(2026, 10, 1))
    with pytest.raises(TypeError):
        compute(catalog.indicators, RECORDS, dt.datetime(2026, 10, 1), dt.date(2026, 10, 31))


# --- the catalog file: problems with file and line ------------------------------------------------

VALID = """\
# yaml-language-server: $schema=../../../catalog/schema/indicators.schema.json
indicators:
  - id: satisfaction-rate
    name: 满意率
    definition: 满意度为 1—3 的评价占全部评价的百分比。
    formula:
      numerator: satisfied_ratings
      denominator: ratings
    unit: 百分比
    target: 95
    direction: higher
    public: true
  - id: average-handling-time
    name: 平均办理时长
    definition: 自受理之日至办结之日的工作日数的平均值。
    formula:
      average: handling_workdays
    unit: 工作日
    target: 5
    direction: lower
  - id: return-visit-rate
    name: 回访率
    definition: 已回访的差评工单和办件占应回访的百分比。
    formula:
      numerator: [cases_visited, visits_done]
      denominator: [cases, visits_scheduled]
    unit: 百分比
    target: 100
    direction: higher
"""


def test_a_valid_indicators_file_is_loaded_in_file_order(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(INDICATORS, VALID)
    indicators = load_catalog(catalog_copy.root).indicators
    assert [(i.id, i.formula.form, i.unit, i.target, i.public) for i in indicators] == [
        ("satisfaction-rate", "ratio", "百分比", 95, True),
        ("average-handling-time", "average", "工作日", 5, False),
        ("return-visit-rate", "ratio", "百分比", 100, False),
    ]
    assert indicators[2].formula.numerator == ["cases_visited", "visits_done"]


def test_a_public_indicator_may_be_shown_per_item_and_on_the_guides(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(
        INDICATORS,
        VALID.replace("    public: true\n", "    public: true\n    per_item: true\n    guide: true\n"),
    )
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert problems == []
    assert [(i.public, i.per_item, i.guide) for i in load_catalog(catalog_copy.root).indicators] == [
        (True, True, True),
        (False, False, False),
        (False, False, False),
    ]


BROKEN = {
    "unknown count name": (
        "      numerator: satisfied_ratings\n",
        "      numerator: satisfied_rating  # expect: E004\n",
        "是否应为「satisfied_ratings」",
    ),
    "unknown count name in a list": (
        "[cases_visited, visits_done]\n",
        "[cases_visited, visit_done]  # expect: E004\n",
        "「visit_done」不在评价指标计数代码表中",
    ),
    "code instead of a name": (
        "      numerator: satisfied_ratings\n",
        "      numerator: __import__('os').system('ls')  # expect: E004\n",
        "应为：ratings、satisfied_ratings、bad_ratings",
    ),
    "unknown measure": (
        "      average: handling_workdays\n",
        "      average: handling_days  # expect: E004\n",
        "不在评价指标度量代码表中",
    ),
    "missing target": (
        "    target: 5\n",
        "",
        "缺少必填字段「评价指标 › 第 2 项 › 目标值」",
    ),
    "unknown direction": (
        "    direction: lower\n",
        "    direction: down  # expect: E004\n",
        "higher（越高越好）",
    ),
    "negative target": ("    target: 5\n", "    target: -5  # expect: E007\n", "不能小于 0"),
    "percentage target above 100": (
        "    target: 95\n",
        "    target: 950  # expect: E007\n",
        "目标值不能大于 100，实际为 950",
    ),
    "unit that does not fit the formula": (
        "    unit: 工作日\n",
        "    unit: 百分比  # expect: E122\n",
        "单位应为“工作日”",
    ),
    "two forms at once": (
        "    formula:\n      average: handling_workdays\n",
        "    formula:  # expect: E122\n      average: handling_workdays\n      count: bad_ratings\n",
        "只能选一种",
    ),
    "empty formula": (
        "    formula:\n      average: handling_workdays\n",
        "    formula: {}  # expect: E122\n",
        "须填写分子和分母",
    ),
    "numerator without denominator": (
        "    formula:\n      numerator: satisfied_ratings\n      denominator: ratings\n",
        "    formula:  # expect: E122\n      numerator: satisfied_ratings\n",
        "还须填写分母（denominator）",
    ),
    "numerator and denominator swapped": (
        "      numerator: satisfied_ratings\n      denominator: ratings\n",
        "      numerator: ratings  # expect: E122\n      denominator: satisfied_ratings  # expect: E122\n",
        "是总数，不是分母的一部分",
    ),
    "a part without its whole": (
        "      denominator: [cases, visits_scheduled]\n",
        "      denominator: [cases]\n",
        "分母中应有 visits_scheduled",
    ),
    "overlapping wholes in the denominator": (
        "      denominator: [cases, visits_scheduled]\n",
        "      denominator: [cases, cases_named, visits_scheduled]  # expect: E122\n",
        "「cases_named」（实名差评工单数）已包含在「cases」（差评处理工单数）中",
    ),
    "repeated id": (
        "  - id: return-visit-rate\n",
        "  - id: satisfaction-rate  # expect: E101\n",
        "指标标识「satisfaction-rate」重复",
    ),
    "unknown field": (
        "    public: true\n",
        "    publish: true  # expect: E002\n",
        "是否应为「public」",
    ),
    "shown per item but not public": (
        "    direction: lower\n",
        "    direction: lower\n    per_item: true  # expect: E123\n",
        "指标「平均办理时长」不公开，不能按事项公示",
    ),
    "on the guides but not public": (
        "    direction: lower\n",
        "    direction: lower\n    public: false\n    per_item: true  # expect: E123\n    guide: true  # expect: E123\n",
        "指标「平均办理时长」不公开，不能在办事指南显示",
    ),
    "on the guides but not shown per item": (
        "    public: true\n",
        "    public: true\n    guide: true  # expect: E123\n",
        "指标「满意率」在办事指南显示各事项的指标值，须同时按事项公示（per_item: true）",
    ),
}
MARK_ALSO = {
    # problems reported at a line the edit itself does not touch
    "missing target": ("  - id: average-handling-time\n", "  - id: average-handling-time  # expect: E005\n"),
    "a part without its whole": (
        "      numerator: [cases_visited, visits_done]\n",
        "      numerator: [cases_visited, visits_done]  # expect: E122\n",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_problems_are_reported_with_file_and_line(catalog_copy: CatalogCopy, name: str) -> None:
    old, new, words = BROKEN[name]
    assert VALID.count(old) == 1, name
    text = VALID.replace(old, new)
    if name in MARK_ALSO:
        text = text.replace(*MARK_ALSO[name])
    catalog_copy.write(INDICATORS, text)
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert {(p.path, p.line, p.code) for p in problems} == catalog_copy.expected(), [
        p.format() for p in problems
    ]
    assert catalog_copy.expected(), "each case marks at least one line"
    assert any(words in p.message for p in problems), [p.message for p in problems]


def test_an_unknown_name_is_reported_in_full(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(
        INDICATORS, VALID.replace("numerator: satisfied_ratings", "numerator: satisfied_rating")
    )
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert [p.format() for p in problems] == [
        "indicators.yml:7:18: E004: 「评价指标 › 第 1 项 › 计算公式 › 分子」的值「satisfied_rating」不在评价指标计数"
        "代码表中，是否应为「satisfied_ratings」（满意评价数：满意度为 1 非常满意、2 满意、3 基本满意（按评价时间））？"
    ]


def test_ipps_validate_reports_indicator_problems(
    catalog_copy: CatalogCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_copy.write(INDICATORS, VALID.replace("    target: 5\n", ""))
    assert main(["validate", "--catalog", str(catalog_copy.root)]) == 1
    out = capsys.readouterr().out
    assert f"{INDICATORS}:13:5: E005: 缺少必填字段「评价指标 › 第 2 项 › 目标值」（target）" in out
