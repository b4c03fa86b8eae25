"""``ipps report``: the periodic evaluation report for the competent authority (T/CIPS 007—2024
9.1), written as ``report.html`` and ``report.xlsx`` from a real store and read back.

The records below are few enough to count by hand; each expected figure says where it comes
from. The period is the third quarter of 2026 (1 July – 30 September, 92 days); the previous
period is the 92 days before it, 31 March – 30 June. The figures are taken on 15 October
(``TODAY``). Working days follow the 2026 calendar: 25 September (中秋) is a holiday.

Items (sample catalog): P 专利权质押登记 and L 专利实施许可合同备案 (市市场监管局), Q 知识产权信息查询
(公共服务中心). In catalog order (by file name) they come Q, L, P.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import re
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup

from forms_api.cli import report as report_cli
from forms_api.cli.main import main
from forms_api.domain.evaluation import charts
from forms_api.domain.evaluation.report import build
from forms_api.storage.embedded import Store
from generator.catalog import Catalog
from tests.conftest import MINIMAL_CATALOG, SAMPLE_CATALOG
from tests.live_store import LiveStore

TODAY = dt.date(2026, 10, 15)
FROM, TO = "2026-07-01", "2026-09-30"

P = {
    "code": "20C0500001-339900000000-11339900AY4CL12T8J-01",
    "slug": "patent-pledge",
    "name": "专利权质押登记",
}
L = {
    "code": "20C0500003-339900000000-11339900AY4CL12T8J-01",
    "slug": "patent-license-filing",
    "name": "专利实施许可合同备案",
}
Q = {
    "code": "20C0300001-339900000000-123399003BJ1XG611C-01",
    "slug": "ip-information-query",
    "name": "知识产权信息查询",
}

# Personal data that the records hold and the report must not show.
NAME, PHONE, EMAIL = "欧阳春晓", "13912345678", "chunxiao.oy@example.com"
COMPLAINANT, COMPLAINANT_PHONE, COMPLAINANT_EMAIL = "周敏", "13800138000", "zhoumin@example.com"
STAFF = ("回访员王芳", "督办人员李强", "审核人员赵磊")
PERSONAL = (NAME, PHONE, EMAIL, "139****5678", COMPLAINANT, COMPLAINANT_PHONE, COMPLAINANT_EMAIL, *STAFF)


def at(day: str, time: str = "10:00") -> str:
    return f"2026-{day}T{time}:00+08:00"


# --- the records ------------------------------------------------------------------------------------


def applicant() -> dict[str, Any]:
    return {
        "type": "自然人",
        "name": NAME,
        "phone_enc": "v1:bm90LXJlYWxseS1lbmNyeXB0ZWQ",
        "phone_masked": "139****5678",
        "email": EMAIL,
    }


def application(no: str, item: dict[str, str], status: str, submitted: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "application",
        "receipt_no": no,
        "item": item,
        "status": status,
        "submitted_at": submitted,
        "applicant": applicant(),
        **extra,
    }


def correction(day: str) -> dict[str, Any]:
    return {
        "requested_at": at(day, "09:00"),
        "materials": [],
        "note": "补正",
        "received_at": at(day, "16:00"),
    }


def consultation(no: str, item: dict[str, str] | None, submitted: str, due: str, replied: str | None) -> dict:
    record: dict[str, Any] = {
        "kind": "consultation",
        "receipt_no": no,
        "item": item,
        "status": "已答复" if replied else "已分派",
        "submitted_at": submitted,
        "reply_due": due,
        "name": NAME,
        "phone_masked": "139****5678",
        "email": EMAIL,
        "subject": "问题",
        "message": f"我是{NAME}，电话 {PHONE}",
    }
    if replied:
        record |= {"replied_at": replied, "reply": {"text": "答复", "at": replied}}
    return record


def rating(no: str, submitted: str, level: int, **target: Any) -> dict[str, Any]:
    return {
        "kind": "rating",
        "rating_no": no,
        "submitted_at": submitted,
        "level": level,
        "bad": level >= 4,
        "comment": "",
        "channel": "web",
        **target,
    }


def case(no: str, rating_no: str, rated: str, item: dict[str, str], submitted: str, **extra: Any) -> dict:
    """A 差评 case as forms_api.domain.submissions opens it."""
    return {
        "kind": "case",
        "receipt_no": no,
        "rating_no": rating_no,
        "rated_receipt": rated,
        "named": bool(rated),
        "item": item,
        "department": "market-regulation" if item is not Q else "public-service-center",
        "status": "待处理",
        "channel": "web",
        "submitted_at": submitted,
        **extra,
    }


def visit(day: str, note: str = "已联系，认可处理结果") -> dict[str, Any]:
    return {"method": "电话", "satisfaction": "2", "note": note, "at": at(day), "by": STAFF[0]}


def outcome(kind: str, text: str, day: str) -> dict[str, Any]:
    return {
        "status": "已办结",
        "outcome": {"outcome": kind, "text": text, "at": at(day), "by": STAFF[1]},
        "closed_at": at(day),
    }


def complaint(no: str, type: str, submitted: str, due: str, replied: str | None, **extra: Any) -> dict:
    record: dict[str, Any] = {
        "kind": "complaint",
        "type": type,
        "receipt_no": no,
        "status": "已答复" if replied else "已提交",
        "submitted_at": submitted,
        "channel": "web",
        "name": COMPLAINANT,
        "phone_masked": "138****8000",
        "email": COMPLAINANT_EMAIL,
        "item": None,
        "subject": "窗口等候时间过长",
        "message": f"我是{COMPLAINANT}，电话 {COMPLAINANT_PHONE}",
        "reply_due": due,
    }
    if replied:
        record |= {"replied_at": replied, "reply": {"text": "已处理。", "at": replied}}
    return {**record, **extra}


APPLICATIONS = [
    # Q3. Accepted Thu 2 Jul, completed Mon 6 Jul on time: 3 and 6 Jul = 2 working days.
    application(
        "SQ-P1", P, "已办结", at("07-01"), accepted_at=at("07-02"), completed_at=at("07-06"),
        due_date="2026-07-08", completed_late=False,
    ),
    # Corrected twice (not 一次性告知); accepted Mon 13 Jul, completed Mon 20 Jul late:
    # 14–17 and 20 Jul = 5 working days.
    application(
        "SQ-P2", P, "已办结", at("07-10"), accepted_at=at("07-13"), completed_at=at("07-20"),
        due_date="2026-07-16", completed_late=True, corrections=[correction("07-10"), correction("07-14")],
    ),
    # Corrected once; accepted Mon 3 Aug, completed Wed 5 Aug on time: 4, 5 Aug = 2 working days.
    application(
        "SQ-L1", L, "已办结", at("08-03"), accepted_at=at("08-03"), completed_at=at("08-05"),
        due_date="2026-08-07", completed_late=False, corrections=[correction("08-03")],
    ),
    # Accepted 22 Sep, still being handled.
    application("SQ-L2", L, "办理中", at("09-21"), accepted_at=at("09-22"), due_date="2026-10-09"),
    # The previous period: accepted 1 Jun, completed 3 Jun on time, 2 working days.
    application(
        "SQ-P0", P, "已办结", at("06-01"), accepted_at=at("06-01"), completed_at=at("06-03"),
        due_date="2026-06-05", completed_late=False,
    ),
]  # fmt: skip

CONSULTATIONS = [
    consultation("ZX-Q1", Q, at("07-06"), "2026-07-09", at("07-08")),  # on time
    consultation("ZX-Q2", Q, at("08-10"), "2026-08-13", at("08-14")),  # a day late
    consultation("ZX-G1", None, at("09-28"), "2026-09-30", None),  # never answered: late by 15 Oct
    consultation("ZX-Q0", Q, at("06-05"), "2026-06-10", at("06-09")),  # previous period, on time
]

RATINGS = [
    rating("PJ-1", at("07-07"), 1, receipt_no="SQ-P1"),  # P through the application
    rating("PJ-2", at("07-21"), 5, receipt_no="SQ-P2"),  # P, 差评 → CP-1
    rating("PJ-3", at("08-04"), 2, item=L),  # L's guide page
    rating("PJ-4", at("08-06"), 4, receipt_no="SQ-L1"),  # L, 差评 → CP-2
    rating("PJ-5", at("07-09"), 3, receipt_no="ZX-Q1"),  # Q through the consultation
    rating("PJ-6", at("09-15"), 4, item=Q),  # Q, anonymous 差评 → CP-3
    rating("PJ-7", at("08-15"), 2, receipt_no="ZX-Q2"),  # Q
    rating("PJ-8", "2026-09-30T23:00:00+08:00", 1, item=P),  # still 30 Sep
    rating("PJ-9", at("09-01"), 1, item=Q),  # Q
    rating("PJ-10", "2026-09-30T16:30:00Z", 5, item=P),  # 00:30 on 1 Oct in China: after the period
    # The previous period: P 1 and 4, Q 5, L 3.
    rating("PJ-01", at("05-10"), 1, item=P),
    rating("PJ-02", at("05-11"), 4, item=P),
    rating("PJ-03", at("06-01"), 5, item=Q),
    rating("PJ-04", at("06-20"), 3, item=L),
]

CASES = [
    # Named (rated SQ-P2), visited, closed with 整改 on 24 Jul, due 28 Jul: on time. The comment
    # names the applicant and gives a phone number.
    case(
        "CP-1", "PJ-2", "SQ-P2", P, at("07-21"), level=5, due_date="2026-07-28",
        comment=f"办理太慢，我是{NAME}，电话{PHONE}", return_visit=visit("07-23", f"已向{NAME}说明原因"),
        **outcome("整改", "调整审核分工，压缩审核环节", "07-24"),
    ),
    # Named (rated SQ-L1), visited, not closed; due 13 Aug, so overdue by 15 Oct.
    case(
        "CP-2", "PJ-4", "SQ-L1", L, at("08-06"), level=4, due_date="2026-08-13", comment="窗口说明不清",
        status="已回访", return_visit=visit("08-10"),
    ),
    # Anonymous (a guide page), explained on 25 Sep, due 22 Sep: closed late.
    case(
        "CP-3", "PJ-6", "", Q, at("09-15"), level=4, due_date="2026-09-22", comment="页面信息过时",
        **outcome("解释说明", "经核实页面信息为最新", "09-25"),
    ),
    # The previous period: two anonymous cases, one explained, one still open.
    case("CP-01", "PJ-02", "", P, at("05-11"), level=4, due_date="2026-05-18", **outcome("解释说明", "已说明", "05-15")),
    case("CP-02", "PJ-03", "", Q, at("06-01"), level=5, due_date="2026-06-08"),
]  # fmt: skip

VISITS = [
    {"kind": "visit", "receipt_no": "HF-1", "visited_receipt": "SQ-P1", "item": P, "status": "已回访",
     "scheduled_at": at("07-06"), "due_date": "2026-07-13", "return_visit": visit("07-08")},
    {"kind": "visit", "receipt_no": "HF-2", "visited_receipt": "SQ-L1", "item": L, "status": "待回访",
     "scheduled_at": at("08-05"), "due_date": "2026-08-12"},
]  # fmt: skip

COMPLAINTS = [
    # Answered in time; the answer addresses the complainant by surname (周女士).
    complaint(
        "TS-1", "投诉", at("07-15"), "2026-07-20", at("07-17"), item=P,
        reply={"text": "周女士您好：已增开一个综合窗口。", "at": at("07-17")},
    ),
    # A suggestion with a phone number in it, never answered: overdue by 15 Oct.
    complaint("TS-2", "建议", at("09-24"), "2026-09-30", None, subject=f"建议增加周末服务，联系我{COMPLAINANT_PHONE}"),
    # Answered two days late.
    complaint("TS-3", "投诉", at("08-20"), "2026-08-25", at("08-27"), subject="材料清单与窗口要求不一致"),
    # The previous period.
    complaint("TS-0", "投诉", at("05-06"), "2026-05-11", at("05-08"), subject="上期的投诉"),
]  # fmt: skip

MEASURES = [
    {"kind": "measure", "measure_no": "GJ-1", "title": "压缩专利权质押登记审核环节", "source": "评价",
     "owner": "market-regulation", "created_at": at("07-25"), "due_date": "2026-09-30", "status": "已完成",
     "completed_at": at("09-20"), "effect": "平均办理时长缩短至 3 个工作日", "public": True},
    {"kind": "measure", "measure_no": "GJ-2", "title": "更新事项页面信息", "source": "投诉",
     "owner": "公共服务中心", "created_at": at("09-26"), "due_date": "2026-10-31", "status": "进行中",
     "effect": "", "public": False},
    # Completed before the period: not in the report.
    {"kind": "measure", "measure_no": "GJ-0", "title": "上期已完成的措施", "source": "回访",
     "owner": "market-regulation", "created_at": at("03-01"), "due_date": "2026-04-30", "status": "已完成",
     "completed_at": at("04-28"), "effect": "", "public": True},
]  # fmt: skip

RECORDS = {
    "application": APPLICATIONS,
    "consultation": CONSULTATIONS,
    "rating": RATINGS,
    "case": CASES,
    "visit": VISITS,
    "complaint": COMPLAINTS,
    "measure": MEASURES,
}

# --- what the report should say ----------------------------------------------------------------------

SUMMARY = {
    # indicator: (本期值, 计算依据, 目标值, 是否达标, 上期值, 较上期变化)
    # Ratings in Q3: PJ-1 … PJ-9 (PJ-10 is 1 Oct in China): levels 1 1 1 2 2 3 (satisfied) and
    # 4 4 5. Before: PJ-01 … PJ-04, levels 1 3 (satisfied), 4 5.
    "satisfaction-rate": ("66.7%", "6/9", "≥ 95%", "未达标", "50.0%（2/4）", "↑ 上升 16.7 个百分点（向好）"),
    "bad-rating-rate": ("33.3%", "3/9", "≤ 2%", "未达标", "50.0%（2/4）", "↓ 下降 16.7 个百分点（向好）"),
    # Cases CP-1, CP-2, CP-3; closed with an outcome CP-1, CP-3. Before: CP-01 of CP-01, CP-02.
    "bad-rating-rectification-rate": (
        "66.7%", "2/3", "≥ 100%", "未达标", "50.0%（1/2）", "↑ 上升 16.7 个百分点（向好）",
    ),
    # Visited cases CP-1, CP-2 + visit HF-1 done, over named cases CP-1, CP-2 + visits due
    # HF-1, HF-2. Before: no named case and no visit.
    "return-visit-rate": ("75.0%", "3/4", "≥ 100%", "未达标", "无数据（0/0）", "上期无数据"),
    # Completed SQ-P1, SQ-P2 (late), SQ-L1. Before: SQ-P0, on time.
    "on-time-completion-rate": ("66.7%", "2/3", "≥ 100%", "未达标", "100.0%（1/1）", "↓ 下降 33.3 个百分点（变差）"),
    # Accepted SQ-P1 (0 corrections), SQ-P2 (2), SQ-L1 (1), SQ-L2 (0). Before: SQ-P0.
    "one-time-notification-rate": (
        "75.0%", "3/4", "≥ 100%", "未达标", "100.0%（1/1）", "↓ 下降 25.0 个百分点（变差）",
    ),
    # Due in Q3: ZX-Q1 (on time), ZX-Q2 (late), ZX-G1 (unanswered). Before: ZX-Q0, on time.
    "consultation-reply-timeliness-rate": (
        "33.3%", "1/3", "≥ 100%", "未达标", "100.0%（1/1）", "↓ 下降 66.7 个百分点（变差）",
    ),
    # Complaints and suggestions due in Q3: TS-1 (on time), TS-3 (late), TS-2 (unanswered, due
    # 30 Sep). Before: TS-0, on time.
    "complaint-reply-timeliness-rate": (
        "33.3%", "1/3", "≥ 100%", "未达标", "100.0%（1/1）", "↓ 下降 66.7 个百分点（变差）",
    ),
    # 2 + 5 + 2 working days over 3 applications; before 2 over 1.
    "average-handling-time": (
        "3.0 个工作日", "3 件共 9 个工作日", "≤ 5 个工作日", "达标", "2.0 个工作日（1 件共 2 个工作日）",
        "↑ 增加 1.0 个工作日（变差）",
    ),
}  # fmt: skip

MET = sum(1 for v in SUMMARY.values() if v[3] == "达标")
MISSED = sum(1 for v in SUMMARY.values() if v[3] == "未达标")

ITEMS = {
    # item: {indicator: (value, counts)}
    # Q: ratings PJ-5 (3), PJ-6 (4), PJ-7 (2), PJ-9 (1); case CP-3 (anonymous, explained);
    # consultations ZX-Q1 (on time), ZX-Q2 (late); no application.
    Q["code"]: {
        "satisfaction-rate": ("75.0%", "3/4"),
        "bad-rating-rate": ("25.0%", "1/4"),
        "bad-rating-rectification-rate": ("100.0%", "1/1"),
        "return-visit-rate": ("无数据", "0/0"),
        "on-time-completion-rate": ("无数据", "0/0"),
        "one-time-notification-rate": ("无数据", "0/0"),
        "consultation-reply-timeliness-rate": ("50.0%", "1/2"),
        "complaint-reply-timeliness-rate": ("无数据", "0/0"),
        "average-handling-time": ("无数据", "0 件共 0 个工作日"),
    },
    # L: ratings PJ-3 (2), PJ-4 (4); case CP-2 (visited, open); visit HF-2 (not done);
    # SQ-L1 completed on time in 2 days after one correction, SQ-L2 accepted.
    L["code"]: {
        "satisfaction-rate": ("50.0%", "1/2"),
        "bad-rating-rate": ("50.0%", "1/2"),
        "bad-rating-rectification-rate": ("0.0%", "0/1"),
        "return-visit-rate": ("50.0%", "1/2"),
        "on-time-completion-rate": ("100.0%", "1/1"),
        "one-time-notification-rate": ("100.0%", "2/2"),
        "consultation-reply-timeliness-rate": ("无数据", "0/0"),
        "complaint-reply-timeliness-rate": ("无数据", "0/0"),
        "average-handling-time": ("2.0 个工作日", "1 件共 2 个工作日"),
    },
    # P: ratings PJ-1 (1), PJ-2 (5), PJ-8 (1); case CP-1 (visited, rectified); visit HF-1 done;
    # SQ-P1 on time (2 days), SQ-P2 late (5 days, corrected twice); complaint TS-1 answered in
    # time.
    P["code"]: {
        "satisfaction-rate": ("66.7%", "2/3"),
        "bad-rating-rate": ("33.3%", "1/3"),
        "bad-rating-rectification-rate": ("100.0%", "1/1"),
        "return-visit-rate": ("100.0%", "2/2"),
        "on-time-completion-rate": ("50.0%", "1/2"),
        "one-time-notification-rate": ("50.0%", "1/2"),
        "consultation-reply-timeliness-rate": ("无数据", "0/0"),
        "complaint-reply-timeliness-rate": ("100.0%", "1/1"),
        "average-handling-time": ("3.5 个工作日", "2 件共 7 个工作日"),
    },
}


# --- helpers -----------------------------------------------------------------------------------------


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` in a loop of its own, in a thread of its own (see tests/test_store.py:
    Playwright keeps a loop running in the main thread once a browser test has run)."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


KEYS = {"rating": "rating_no", "measure": "measure_no"}
"""The field each kind is stored under (as forms_api.domain.submissions stores them); receipt_no otherwise."""


def key_of(record: dict[str, Any]) -> str:
    return record[KEYS.get(record["kind"], "receipt_no")]


async def insert_all(store: Store, records: dict[str, list[dict[str, Any]]]) -> None:
    for kind, found in records.items():
        for record in found:
            await store.insert(kind, key_of(record), record)


def store_with(folder: Path, records: dict[str, list[dict[str, Any]]]) -> Path:
    """A store at ``folder`` holding ``records`` (closed again: the shards are written)."""

    async def fill() -> None:
        store = Store(folder)
        try:
            await insert_all(store, records)
        finally:
            await store.close()

    run(fill())
    return folder


def text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory is ``tmp_path``; no IPPS_ settings; today is TODAY."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("IPPS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(report_cli, "today", lambda: TODAY)
    return tmp_path


def ipps_report(data_dir: Path, out: Path, *extra: str, start: str = FROM, end: str = TO) -> int:
    return main(
        [
            "report",
            "--from",
            start,
            "--to",
            end,
            "--out",
            str(out),
            "--data-dir",
            str(data_dir),
            "--catalog-dir",
            str(SAMPLE_CATALOG),
            *extra,
        ]
    )


@pytest.fixture
def made(workdir: Path) -> Path:
    """The report of Q3 2026 over RECORDS, written to ``workdir/out``."""
    store_with(workdir / "var" / "store", RECORDS)
    assert ipps_report(workdir / "var", workdir / "out") == 0
    return workdir / "out"


def page(out: Path) -> BeautifulSoup:
    return BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")


def workbook(out: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(out / "report.xlsx")


def table_rows(sheet: Any, header_row: int = 4) -> list[dict[str, Any]]:
    """The rows under the header on ``header_row`` (1-based) up to the first empty row."""
    headers = [cell.value for cell in sheet[header_row]]
    rows = []
    for cells in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if cells[0] is None:
            break
        rows.append({h: v for h, v in zip(headers, cells, strict=False) if h is not None})
    return rows


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_writes_both_files_and_says_what_it_found(
    workdir: Path, capsys: pytest.CaptureFixture[str], catalog: Catalog
) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    assert ipps_report(workdir / "var", workdir / "reports" / "2026Q3") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "已生成示范市知识产权公共服务中心服务评价报告（统计期 2026-07-01 至 2026-09-30）：",
        "  reports/2026Q3/report.html",
        "  reports/2026Q3/report.xlsx",
        f"指标 {len(catalog.indicators)} 项：达标 {MET} 项，未达标 {MISSED} 项；差评工单 3 件，投诉和建议 3 件，改进措施 2 项。",
    ]
    assert sorted(p.name for p in (workdir / "reports" / "2026Q3").iterdir()) == [
        "report.html",
        "report.xlsx",
    ]


def test_title_period_and_dates(made: Path) -> None:
    soup = page(made)
    assert text(soup.h1) == "示范市知识产权公共服务中心服务评价报告"
    assert text(soup.title) == "示范市知识产权公共服务中心服务评价报告（2026年7月1日至2026年9月30日）"
    meta = {text(tr.th): text(tr.td) for tr in soup.select("table.meta tr")}
    assert meta["统计期"] == "2026年7月1日至2026年9月30日（共 92 天）"
    assert meta["对比期（上期）"] == "2026年3月31日至2026年6月30日（统计期之前天数相同的时段）"
    assert meta["数据截至"] == "2026年10月15日"
    assert soup.select_one(".note") is None, "the period is over: no warning"


# --- summary -------------------------------------------------------------------------------------------


def test_the_summary_table_gives_every_indicator_with_target_and_change(made: Path, catalog: Catalog) -> None:
    rows = page(made).select("#summary-table tbody tr")

    def previous(cell: Any) -> str:  # the value and its counts are two spans
        value, counts = cell.select_one(".value"), cell.select_one(".counts")
        if value is None:
            return text(cell)
        return f"{text(value)}（{text(counts)}）" if counts else text(value)

    found = {
        row["data-indicator"]: (
            text(row.select_one("td.value")),
            text(row.select_one(".counts-cell")),
            text(row.select_one(".target")),
            text(row.select_one(".met")),
            previous(row.select_one(".previous")),
            text(row.select_one(".change")),
        )
        for row in rows
    }
    assert list(SUMMARY) == [i.id for i in catalog.indicators], "SUMMARY gives every indicator of the catalog"
    assert found == SUMMARY
    assert [text(row.th) for row in rows] == [i.name for i in catalog.indicators]
    missed = [row["data-indicator"] for row in rows if "miss" in (row.get("class") or [])]
    assert missed == [k for k, v in SUMMARY.items() if v[3] == "未达标"]


def test_the_summary_says_how_many_targets_were_met(made: Path, catalog: Catalog) -> None:
    intro = text(page(made).select_one("#summary p"))
    assert intro.startswith(
        f"本期按服务评价指标体系统计 {len(catalog.indicators)} 项指标，达到目标值 {MET} 项，未达到目标值 {MISSED} 项。"
    )
    # 9 ratings in the period, of items P, L and Q; the sample catalog lists 39 items.
    assert "共收到服务评价 9 件，涉及事项 3 个（事项清单共 39 个）" in intro
    assert "建立差评处理工单 3 件；收到投诉 2 件、建议 1 件；跟踪改进措施 2 项。" in intro
    levels = page(made).select_one("#levels-table")
    assert [text(td) for td in levels.select("tbody td")] == ["3 件", "2 件", "1 件", "2 件", "1 件", "9 件"]


def test_the_previous_period_change_is_computed_over_the_same_number_of_days(catalog: Catalog) -> None:
    report = build(catalog, RECORDS, dt.date(2026, 7, 1), dt.date(2026, 9, 30), as_of=TODAY)
    assert (report.previous_start, report.previous_end) == (dt.date(2026, 3, 31), dt.date(2026, 6, 30))
    changes = {row.id: (row.delta, row.improved) for row in report.indicators}
    assert changes == {
        "satisfaction-rate": (16.7, True),  # 50 → 66.67
        "bad-rating-rate": (-16.7, True),  # 50 → 33.33, lower is better
        "bad-rating-rectification-rate": (16.7, True),
        "return-visit-rate": (None, None),  # nothing to visit before
        "on-time-completion-rate": (-33.3, False),
        "one-time-notification-rate": (-25.0, False),
        "consultation-reply-timeliness-rate": (-66.7, False),
        "complaint-reply-timeliness-rate": (-66.7, False),  # 100 → 33.33
        "average-handling-time": (1.0, False),  # 2 → 3 working days
    }


# --- per item ------------------------------------------------------------------------------------------


def test_the_per_item_table_lists_the_items_with_records_in_the_period(made: Path) -> None:
    rows = page(made).select("#items-table tbody tr")
    assert [row["data-item"] for row in rows] == [Q["code"], L["code"], P["code"]]  # catalog order
    assert [text(row.th) for row in rows] == [
        "知识产权信息查询 公共服务中心",
        "专利实施许可合同备案 市市场监管局",
        "专利权质押登记 市市场监管局",
    ]
    found = {
        row["data-item"]: {
            td["data-indicator"]: (
                text(td.select_one(".value")).lstrip("※"),
                text(td.select_one(".counts")) if td.select_one(".counts") else "",
            )
            for td in row.select("td")
        }
        for row in rows
    }
    assert found == ITEMS
    # Misses are marked: Q's 满意率 75.0 % is below 95 %; its 差评率 25.0 % above 2 %.
    q = rows[0]
    assert text(q.select_one("td[data-indicator=satisfaction-rate] .value")) == "※75.0%"
    assert text(q.select_one("td[data-indicator=bad-rating-rectification-rate] .value")) == "100.0%"
    assert text(q.select_one("td[data-indicator=return-visit-rate] .value")) == "无数据"


# --- charts --------------------------------------------------------------------------------------------


def test_the_charts_are_inline_svg_with_chinese_labels(made: Path, catalog: Catalog) -> None:
    soup = page(made)
    svgs = soup.find_all("svg")
    assert len(svgs) == 2
    indicators, satisfaction = (
        soup.select_one("#figure-indicators svg"),
        soup.select_one("#figure-satisfaction svg"),
    )
    for svg in (indicators, satisfaction):
        assert "Noto Sans CJK SC" in svg["font-family"] and svg["font-family"].endswith("sans-serif")
        assert svg["role"] == "img" and svg.title is not None
    labels = [text(t) for t in indicators.find_all("text")]
    # Every percentage indicator (not the average), with its value, counts and whether it missed.
    percentages = [i.name for i in catalog.indicators if i.unit == "百分比"]
    assert "投诉建议答复及时率" in percentages
    for name in percentages:
        assert name in labels
    assert "平均办理时长（工作日）" not in labels
    assert "66.7%（6/9） 未达标" in labels and "上期 50.0%" in labels
    assert {"本期（达标）", "本期（未达标）", "上期", "目标值"} <= set(labels)
    assert text(indicators.title) == "百分比指标与目标值（本期与上期）"
    # The item chart: 满意率 of each item against 95 %.
    item_labels = [text(t) for t in satisfaction.find_all("text")]
    assert {"知识产权信息查询", "专利实施许可合同备案", "专利权质押登记"} <= set(item_labels)
    assert {"75.0%（3/4） 未达标", "50.0%（1/2） 未达标", "66.7%（2/3） 未达标"} <= set(item_labels)
    assert text(satisfaction.title) == "各事项满意率"
    assert "知识产权信息查询：本期75.0%，目标值95.0%" in text(satisfaction.desc)
    # The bars: 66.7 % of the plot for 满意率; the target marks at 95 % and 2 %.
    bars = [r for r in indicators.find_all("rect") if r.get("height") == "14"]
    assert len(bars) == len(percentages)


def test_chart_text_is_escaped_and_long_labels_wrap() -> None:
    svg = charts.bar_chart(
        [
            charts.Bar("<b>&事项</b>", 40.0, target=50.0, met=False),
            charts.Bar(
                "一个名称非常非常长的知识产权公共服务事项需要换行显示并且还要更长一些才会被截断的名称", None
            ),
        ],
        title='图 "1" <x>',
        chart_id="c",
    )
    assert "<b>" not in svg and "&lt;b&gt;&amp;事项&lt;/b&gt;" in svg
    assert "图 &quot;1&quot; &lt;x&gt;" in svg or '图 "1" &lt;x&gt;' in svg
    soup = BeautifulSoup(svg, "html.parser")
    spans = [text(s) for s in soup.find_all("tspan")]
    assert len(spans) == 2 and spans[1].endswith("…")
    assert "无数据" in [text(t) for t in soup.find_all("text")]
    assert charts.text_width("满意率", 12) == 36 and charts.text_width("ab", 10) == 12


# --- cases, complaints, measures -------------------------------------------------------------------------


def test_the_bad_rating_cases_and_their_handling(made: Path) -> None:
    soup = page(made)
    rows = soup.select("#cases-table tbody tr")
    found = {
        row["data-case"]: [text(cell) for cell in row.find_all(["th", "td"], recursive=False)] for row in rows
    }
    assert found == {
        "CP-1": [
            "CP-1 办件 SQ-P2",
            "2026-07-21 2026-07-28",
            "专利权质押登记 市市场监管局",
            "5 非常不满意（实名） 办理太慢，我是〔已隐去〕，电话〔已隐去〕",
            "2026-07-23 电话回访，满意度 2 满意：已向〔已隐去〕说明原因",
            "整改：调整审核分工，压缩审核环节 办结于 2026-07-24",
            "已办结 按期办结",
        ],
        "CP-2": [
            "CP-2 办件 SQ-L1",
            "2026-08-06 2026-08-13",
            "专利实施许可合同备案 市市场监管局",
            "4 不满意（实名） 窗口说明不清",
            "2026-08-10 电话回访，满意度 2 满意：已联系，认可处理结果",
            "尚未办结",
            "已回访 逾期未办结",
        ],
        "CP-3": [
            "CP-3",
            "2026-09-15 2026-09-22",
            "知识产权信息查询 公共服务中心",
            "4 不满意（匿名） 页面信息过时",
            "匿名评价，无法回访",
            "解释说明：经核实页面信息为最新 办结于 2026-09-25",
            "已办结 超期办结",
        ],
    }
    summary = text(soup.select_one("#cases p"))
    assert summary == (
        "本期建立差评处理工单 3 件，其中实名 2 件、匿名 1 件（在事项页面对办事指南的匿名评价无法回访）。 "
        "实名差评已回访 2 件。已办结 2 件，其中按期办结 1 件、超期办结 1 件；处理结果为整改 1 件、解释说明 1 件。 "
        "尚未办结 1 件，其中已超过办理期限 1 件。"
    )


def test_complaints_and_suggestions_with_answers_and_timeliness(made: Path) -> None:
    soup = page(made)
    rows = soup.select("#complaints-table tbody tr")
    found = {
        row["data-complaint"]: [text(cell) for cell in row.find_all(["th", "td"], recursive=False)]
        for row in rows
    }
    assert found == {
        "TS-1": [
            "TS-1", "投诉", "专利权质押登记", "窗口等候时间过长", "2026-07-15 2026-07-20",
            "〔已隐去〕您好：已增开一个综合窗口。 答复于 2026-07-17", "按时答复",
        ],
        "TS-3": [
            "TS-3", "投诉", "未指定", "材料清单与窗口要求不一致", "2026-08-20 2026-08-25", "已处理。 答复于 2026-08-27",
            "超期答复",
        ],
        "TS-2": ["TS-2", "建议", "未指定", "建议增加周末服务，联系我〔已隐去〕", "2026-09-24 2026-09-30", "尚未答复", "逾期未答复"],
    }  # fmt: skip
    assert list(found) == ["TS-1", "TS-3", "TS-2"]  # by submission
    summary = text(soup.select_one("#complaints p"))
    assert (
        "本期收到投诉 2 件、建议 1 件，已答复 2 件，其中在答复期限内答复 1 件、超期答复 1 件；已过答复期限仍未答复 1 件"
        in summary
    )
    assert "按时答复率 33.3%（1/3）" in summary


def test_improvement_measures_of_the_period(made: Path) -> None:
    rows = page(made).select("#measures-table tbody tr")
    found = [[text(cell) for cell in row.find_all(["th", "td"], recursive=False)] for row in rows]
    assert found == [
        ["GJ-1", "压缩专利权质押登记审核环节", "评价", "市市场监管局", "2026-09-30", "已完成",
         "平均办理时长缩短至 3 个工作日", "已公开"],
        ["GJ-2", "更新事项页面信息", "投诉", "公共服务中心", "2026-10-31", "进行中", "—", "未公开"],
    ]  # fmt: skip


def test_without_measures_the_section_says_none_were_recorded(workdir: Path) -> None:
    store_with(workdir / "var" / "store", {k: v for k, v in RECORDS.items() if k != "measure"})
    assert ipps_report(workdir / "var", workdir / "out") == 0
    soup = page(workdir / "out")
    assert text(soup.select_one("#no-measures")) == "本期未登记改进措施。"
    assert soup.select_one("#measures-table") is None
    assert workbook(workdir / "out")["改进措施"]["A4"].value == "本期未登记改进措施。"


def test_the_definitions_come_from_the_catalog(made: Path, catalog: Catalog) -> None:
    soup = page(made)
    terms = [text(dt_) for dt_ in soup.select("dl.definitions dt")]
    assert terms == [f"{i.name} {i.id}" for i in catalog.indicators]
    first = soup.select("dl.definitions dd")[0]
    assert catalog.indicators[0].definition in text(first)
    assert "计算方法：满意评价数 ÷ 评价数 × 100%；单位：百分比；目标值：≥ 95%（越高越好）。" in text(first)
    rectification = text(soup.select("dl.definitions dd")[2])
    assert "已办结并有处理结果的差评工单数 ÷ 差评处理工单数 × 100%" in rectification
    visits = text(soup.select("dl.definitions dd")[3])
    assert "（已回访的差评工单数 + 已回访的办件数） ÷ （实名差评工单数 + 应回访的办件数） × 100%" in visits


# --- privacy and self-containment ------------------------------------------------------------------------


def test_no_personal_data_in_either_file(made: Path) -> None:
    html = (made / "report.html").read_text(encoding="utf-8")
    cells = " ".join(
        str(cell)
        for sheet in workbook(made)
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    for value in PERSONAL:
        assert value not in html, value
        assert value not in cells, value
    assert not re.search(r"1[3-9]\d{9}", html + cells), "no phone number"
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", html + cells), "no e-mail address"


def test_the_page_loads_nothing_from_elsewhere(made: Path) -> None:
    html = (made / "report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(src=True) == []
    assert soup.find_all("link") == [] and soup.find_all("script") == []
    assert [a["href"] for a in soup.find_all(href=True)] == []
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    style = soup.style.get_text()
    assert '"Noto Sans CJK SC"' in style and "size: A4" in style and "@media print" in style


# --- the workbook ----------------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_part_with_the_same_figures(made: Path, catalog: Catalog) -> None:
    book = workbook(made)
    assert book.sheetnames == ["总体指标", "分事项", "差评工单", "投诉建议", "改进措施", "指标说明"]
    summary = book["总体指标"]
    assert summary["A1"].value == "示范市知识产权公共服务中心服务评价报告　评价指标总体情况"
    assert summary["A2"].value.startswith(
        "统计期：2026年7月1日至2026年9月30日；上期：2026年3月31日至2026年6月30日"
    )
    rows = {row["指标"]: row for row in table_rows(summary)}
    assert {name: (r["本期值"], r["分子（件数/合计）"], r["分母（件数）"], r["目标值"], r["是否达标"]) for name, r in rows.items()} == {
        "满意率": (66.7, 6, 9, 95, "未达标"),
        "差评率": (33.3, 3, 9, 2, "未达标"),
        "差评整改率": (66.7, 2, 3, 100, "未达标"),
        "回访率": (75.0, 3, 4, 100, "未达标"),
        "按时办结率": (66.7, 2, 3, 100, "未达标"),
        "一次性告知率": (75.0, 3, 4, 100, "未达标"),
        "咨询答复及时率": (33.3, 1, 3, 100, "未达标"),
        "投诉建议答复及时率": (33.3, 1, 3, 100, "未达标"),
        "平均办理时长（工作日）": (3.0, 9, 3, 5, "达标"),
    }  # fmt: skip
    assert {name: (r["上期值"], r["变化"], r["变化说明"]) for name, r in rows.items()} == {
        "满意率": (50.0, 16.7, "↑ 上升 16.7 个百分点（向好）"),
        "差评率": (50.0, -16.7, "↓ 下降 16.7 个百分点（向好）"),
        "差评整改率": (50.0, 16.7, "↑ 上升 16.7 个百分点（向好）"),
        "回访率": (None, None, "上期无数据"),
        "按时办结率": (100.0, -33.3, "↓ 下降 33.3 个百分点（变差）"),
        "一次性告知率": (100.0, -25.0, "↓ 下降 25.0 个百分点（变差）"),
        "咨询答复及时率": (100.0, -66.7, "↓ 下降 66.7 个百分点（变差）"),
        "投诉建议答复及时率": (100.0, -66.7, "↓ 下降 66.7 个百分点（变差）"),
        "平均办理时长（工作日）": (2.0, 1.0, "↑ 增加 1.0 个工作日（变差）"),
    }
    assert len(summary._charts) == 1

    items = book["分事项"]
    matrix = {row["实施编码"]: row for row in table_rows(items)}
    assert list(matrix) == [Q["code"], L["code"], P["code"]]
    assert {code: (r["事项"], r["实施部门"], r["满意率（%）"], r["平均办理时长（工作日）"]) for code, r in matrix.items()} == {
        Q["code"]: ("知识产权信息查询", "公共服务中心", 75.0, None),
        L["code"]: ("专利实施许可合同备案", "市市场监管局", 50.0, 2.0),
        P["code"]: ("专利权质押登记", "市市场监管局", 66.7, 3.5),
    }  # fmt: skip
    assert len(items._charts) == 1
    # The counts behind each value, one row per item and indicator.
    header = next(
        r
        for r in range(1, items.max_row + 1)
        if items.cell(r, 1).value == "计数明细：各事项各项指标的分子和分母"
    )
    detail = {
        (r["实施编码"], r["指标"]): (r["数值"], r["分子"], r["分母"]) for r in table_rows(items, header + 1)
    }
    assert len(detail) == 3 * len(catalog.indicators)
    assert detail[(P["code"], "投诉建议答复及时率")] == (100.0, 1, 1)
    assert detail[(P["code"], "按时办结率")] == (50.0, 1, 2)
    assert detail[(Q["code"], "回访率")] == (None, 0, 0)
    assert detail[(L["code"], "平均办理时长（工作日）")] == (2.0, 2, 1)


def test_the_workbook_lists_cases_complaints_measures_and_definitions(made: Path) -> None:
    book = workbook(made)
    cases = {r["工单编号"]: r for r in table_rows(book["差评工单"])}
    assert list(cases) == ["CP-1", "CP-2", "CP-3"]
    assert {k: (r["状态"], r["时效"], r["处理结果"], r["立案日期"].date(), r["办结日期"]) for k, r in cases.items()} == {
        "CP-1": ("已办结", "按期办结", "整改", dt.date(2026, 7, 21), dt.datetime(2026, 7, 24)),
        "CP-2": ("已回访", "逾期未办结", None, dt.date(2026, 8, 6), None),
        "CP-3": ("已办结", "超期办结", "解释说明", dt.date(2026, 9, 15), dt.datetime(2026, 9, 25)),
    }  # fmt: skip
    assert cases["CP-1"]["评价意见"] == "办理太慢，我是〔已隐去〕，电话〔已隐去〕"
    assert (cases["CP-2"]["回访方式"], cases["CP-2"]["回访满意度"]) == ("电话", "2 满意")
    assert cases["CP-3"]["实名/匿名"] == "匿名"

    complaints = {r["编号"]: r for r in table_rows(book["投诉建议"])}
    assert {k: (r["类型"], r["时效"], r["答复日期"]) for k, r in complaints.items()} == {
        "TS-1": ("投诉", "按时答复", dt.datetime(2026, 7, 17)),
        "TS-3": ("投诉", "超期答复", dt.datetime(2026, 8, 27)),
        "TS-2": ("建议", "逾期未答复", None),
    }
    assert complaints["TS-1"]["答复内容"] == "〔已隐去〕您好：已增开一个综合窗口。"

    measures = table_rows(book["改进措施"])
    assert [(m["编号"], m["责任部门"], m["状态"], m["公开情况"]) for m in measures] == [
        ("GJ-1", "市市场监管局", "已完成", "已公开"),
        ("GJ-2", "公共服务中心", "进行中", "未公开"),
    ]
    definitions = table_rows(book["指标说明"])
    assert [d["标识"] for d in definitions][:2] == ["satisfaction-rate", "bad-rating-rate"]
    assert definitions[0]["计算方法"] == "满意评价数 ÷ 评价数 × 100%"
    by_id = {d["标识"]: d for d in definitions}
    assert by_id["average-handling-time"]["目标值"] == "≤ 5 个工作日"
    assert by_id["complaint-reply-timeliness-rate"]["目标值"] == "≥ 100%"


# --- reading the store while the server runs; a period not yet over --------------------------------------


def test_the_report_is_made_while_the_server_holds_the_store(workdir: Path) -> None:
    server = LiveStore(workdir / "var" / "store")
    try:
        server.call(insert_all(server.store, {k: v for k, v in RECORDS.items() if k != "complaint"}))
        server.call(server.store.checkpoint())
        server.call(insert_all(server.store, {"complaint": COMPLAINTS}))  # only in the journal
        assert ipps_report(workdir / "var", workdir / "out") == 0
        assert server.call(server.store.count("complaint")) == len(COMPLAINTS)
    finally:
        server.close()
    assert len(page(workdir / "out").select("#complaints-table tbody tr")) == 3


def test_a_period_not_over_yet_counts_only_what_is_due(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Taken on 29 Sep: ZX-G1 (due 30 Sep) and TS-2 (due 30 Sep) are not late yet.
    monkeypatch.setattr(report_cli, "today", lambda: dt.date(2026, 9, 29))
    store_with(workdir / "var" / "store", RECORDS)
    assert ipps_report(workdir / "var", workdir / "out") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "注意：统计期尚未结束，报告数据截至 2026-09-29。"
    soup = page(workdir / "out")
    assert "统计期尚未结束" in text(soup.select_one(".note"))
    timely = soup.select_one("#summary-table tr[data-indicator=consultation-reply-timeliness-rate]")
    assert text(timely.select_one(".value")) == "50.0%" and text(timely.select_one(".counts-cell")) == "1/2"
    # Complaints: TS-1 on time, TS-3 late; TS-2 left out.
    timely = soup.select_one("#summary-table tr[data-indicator=complaint-reply-timeliness-rate]")
    assert text(timely.select_one(".value")) == "50.0%" and text(timely.select_one(".counts-cell")) == "1/2"
    ts2 = soup.select_one("#complaints-table tr[data-complaint=TS-2]")
    assert text(ts2.find_all("td")[-1]) == "待答复"


def test_a_store_without_records_of_the_period(workdir: Path, catalog: Catalog) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    assert ipps_report(workdir / "var", workdir / "out", start="2025-01-01", end="2025-03-31") == 0
    soup = page(workdir / "out")
    values = [text(td) for td in soup.select("#summary-table td.value")]
    assert values == ["无数据"] * len(catalog.indicators)
    assert [text(td) for td in soup.select("#summary-table td.met")] == ["无数据"] * len(catalog.indicators)
    assert text(soup.select_one("#items p")) == "本期没有关联到具体事项的记录。"
    assert text(soup.select_one("#cases p")) == "本期没有差评，未建立差评处理工单。"
    assert text(soup.select_one("#complaints p")) == "本期没有收到投诉和建议。"
    assert text(soup.select_one("#no-measures")) == "本期未登记改进措施。"
    # The indicator chart says 无数据 for each bar; there is no per-item chart.
    (svg,) = soup.find_all("svg")
    percentages = [i for i in catalog.indicators if i.unit == "百分比"]
    assert [text(t) for t in svg.find_all("text")].count("无数据") == len(percentages)
    book = workbook(workdir / "out")
    assert book["差评工单"]["A4"].value == "本期没有差评，未建立差评处理工单。"
    assert [r["本期值"] for r in table_rows(book["总体指标"])] == [None] * len(catalog.indicators)


# --- errors: one line in Chinese, no traceback --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "2026-13-01",
            TO,
            "无法生成报告：--from 的日期「2026-13-01」无效，应写成 YYYY-MM-DD，例如 2026-07-01",
        ),
        (
            FROM,
            "2026/09/30",
            "无法生成报告：--to 的日期「2026/09/30」无效，应写成 YYYY-MM-DD，例如 2026-07-01",
        ),
        (FROM, "20260930", "无法生成报告：--to 的日期「20260930」无效，应写成 YYYY-MM-DD，例如 2026-07-01"),
        (
            "2026-10-01",
            TO,
            "无法生成报告：统计期的开始日期 2026-10-01（--from）晚于结束日期 2026-09-30（--to）",
        ),
    ],
)
def test_bad_dates_are_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str], start: str, end: str, message: str
) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    assert ipps_report(workdir / "var", workdir / "out", start=start, end=end) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message] and captured.out == ""
    assert not (workdir / "out").exists()


def test_a_missing_option_is_an_argparse_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--from", FROM, "--to", TO])
    assert exit_info.value.code == 2
    assert "缺少必需的参数：--out" in capsys.readouterr().err


def test_no_store(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ipps_report(workdir / "var", workdir / "out") == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("无法生成报告：没有找到办件数据")
        and "--data-dir" in err
        and len(err.splitlines()) == 1
    )
    assert not (workdir / "var" / "store").exists(), "looking for the store does not create one"
    assert not (workdir / "out").exists()


def test_an_unreadable_store(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    (workdir / "var" / "store" / "manifest.json").write_text("{不是 JSON", encoding="utf-8")
    assert ipps_report(workdir / "var", workdir / "out") == 1
    err = capsys.readouterr().err
    assert err.startswith("无法生成报告：办件数据") and "无法读取" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_a_record_that_cannot_be_counted(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = rating("PJ-X", "上周三", 4, item=P)
    store_with(workdir / "var" / "store", {**RECORDS, "rating": [*RATINGS, broken]})
    assert ipps_report(workdir / "var", workdir / "out") == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("无法生成报告：办件数据中有无法统计的记录（ValueError") and len(err.splitlines()) == 1
    )
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("blocked", ["a file", "inside a file"])
def test_an_output_folder_that_cannot_be_written(
    workdir: Path, capsys: pytest.CaptureFixture[str], blocked: str
) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    (workdir / "taken").write_text("not a folder", encoding="utf-8")
    out = workdir / "taken" if blocked == "a file" else workdir / "taken" / "out"
    assert ipps_report(workdir / "var", out) == 1
    err = capsys.readouterr().err
    assert err.startswith("无法生成报告：") and "Traceback" not in err and len(err.splitlines()) == 1
    assert ("已存在且不是文件夹" in err) if blocked == "a file" else ("无法创建报告文件夹" in err)


def test_a_failed_write_leaves_no_partial_files(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from forms_api.domain.evaluation import report_xlsx

    def refuse(report: Any, path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    store_with(workdir / "var" / "store", RECORDS)
    monkeypatch.setattr(report_xlsx, "write", refuse)
    assert ipps_report(workdir / "var", workdir / "out") == 1
    assert "无法生成报告：无法写入" in capsys.readouterr().err
    assert list((workdir / "out").iterdir()) == [], "neither file, nor a temporary one"


def test_a_catalog_without_indicators(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    code = main(
        [
            "report",
            "--from",
            FROM,
            "--to",
            TO,
            "--out",
            "out",
            "--data-dir",
            "var",
            "--catalog-dir",
            str(MINIMAL_CATALOG),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("无法生成报告：目录") and "没有服务评价指标（indicators.yml）" in err


def test_a_missing_catalog_folder(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_with(workdir / "var" / "store", RECORDS)
    code = main(
        [
            "report",
            "--from",
            FROM,
            "--to",
            TO,
            "--out",
            "out",
            "--data-dir",
            "var",
            "--catalog-dir",
            "nowhere",
        ]
    )
    assert code == 1
    assert capsys.readouterr().err == "无法生成报告：目录文件夹 nowhere 不存在（可用 --catalog-dir 指定）\n"


def test_settings_come_from_the_environment(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_with(workdir / "data" / "store", RECORDS)
    monkeypatch.setenv("IPPS_DATA_DIR", str(workdir / "data"))
    monkeypatch.setenv("IPPS_CATALOG_DIR", str(SAMPLE_CATALOG))
    assert main(["report", "--from", FROM, "--to", TO, "--out", "out"]) == 0
    assert (workdir / "out" / "report.html").is_file()


# --- the page in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_page_renders_its_charts_and_chinese_text_in_chromium(made: Path, chromium: Any) -> None:
    tab = chromium.new_page(viewport={"width": 1000, "height": 1400})
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    try:
        tab.goto((made / "report.html").as_uri())
        assert [url for url in requests if not url.startswith("file:")] == []
        sizes = tab.evaluate(
            "[...document.querySelectorAll('svg.ipps-chart')].map(s => { const b = s.getBoundingClientRect();"
            " return [Math.round(b.width), Math.round(b.height)]; })"
        )
        assert len(sizes) == 2 and all(w > 400 and h > 100 for w, h in sizes)
        pdf = tab.pdf(format="A4", prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        tab.close()
