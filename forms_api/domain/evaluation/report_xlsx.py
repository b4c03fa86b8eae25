"""``report.xlsx``: the evaluation report as a workbook, one sheet per part of the report.

=========== ==================================================================================
Sheet       Content
=========== ==================================================================================
总体指标    every indicator overall: value, counts, target, met, previous period, change; the
            satisfaction levels; a native bar chart of the percentage indicators (本期, 上期,
            目标值) from a small table of its data below
分事项      the indicators per item (values), with a bar chart of 满意率 per item; below, the
            counts behind every value (one row per item and indicator)
差评工单    the 差评 cases opened in the period and their handling
投诉建议    the complaints and suggestions and their answers
改进措施    the improvement measures (or a line saying none were recorded)
指标说明    each indicator's definition, formula, target and basis
=========== ==================================================================================

Each sheet starts with the report's title and period (rows 1–2); its table's header is on
row 4. Values are numbers (one decimal place, as in ``report.html``) so that they can be
worked with; a value without data is an empty cell. Dates are real dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .report import IndicatorRow, Report, cn_date

__all__ = ["HEADER_ROW", "SHEETS", "write"]

SHEETS = ("总体指标", "分事项", "差评工单", "投诉建议", "改进措施", "指标说明")
HEADER_ROW = 3
"""Zero-based row of each sheet's first table header (Excel row 4)."""

CHART_FONT = {"name": "Noto Sans CJK SC", "size": 9}


class _Formats:
    def __init__(self, book: Workbook) -> None:
        base = {"font_name": "Noto Sans CJK SC", "font_size": 10, "valign": "top"}
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = book.add_format({**base, "font_color": "#5f6670"})
        self.heading = book.add_format({**base, "bold": True, "font_size": 11})
        self.header = book.add_format(
            {**base, "bold": True, "bg_color": "#eef2f7", "border": 1, "text_wrap": True, "valign": "bottom"}
        )
        self.text = book.add_format({**base, "border": 1, "text_wrap": True})
        self.bold = book.add_format({**base, "border": 1, "text_wrap": True, "bold": True})
        self.number = book.add_format({**base, "border": 1, "num_format": "0.0"})
        self.integer = book.add_format({**base, "border": 1, "num_format": "0"})
        self.date = book.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd"})
        self.missed = book.add_format({**base, "border": 1, "font_color": "#a1420f", "bold": True})
        self.note = book.add_format({**base, "font_color": "#5f6670", "text_wrap": True})


def write(report: Report, path: Path) -> None:
    """Write the workbook to ``path``."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties(
        {
            "title": f"{report.title}（{report.period_text}）",
            "subject": "服务评价报告（T/CIPS 007—2024 9.1）",
            "author": report.platform,
            "company": report.platform,
        }
    )
    formats = _Formats(book)
    _summary(book, formats, report)
    _items(book, formats, report)
    _cases(book, formats, report)
    _complaints(book, formats, report)
    _measures(book, formats, report)
    _definitions(book, formats, report)
    try:
        book.close()
    except FileCreateError as exc:  # wraps the OSError of writing the file
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise cause or OSError(str(exc)) from None


# --- helpers ------------------------------------------------------------------------------------


def _sheet(book: Workbook, formats: _Formats, report: Report, name: str, heading: str) -> Worksheet:
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, f"{report.title}　{heading}", formats.title)
    sheet.write(
        1,
        0,
        f"统计期：{report.period_text}；上期：{report.previous_text}；数据截至{cn_date(report.as_of)}",
        formats.subtitle,
    )
    return sheet


def _table(
    sheet: Worksheet,
    formats: _Formats,
    row: int,
    columns: Sequence[tuple[str, float]],
    rows: Sequence[Sequence[tuple[Any, Any]]],
) -> int:
    """Write a header and ``rows`` of (value, format) cells from ``row``; returns the row after
    the table. ``columns`` are (header, width)."""
    for col, (header, width) in enumerate(columns):
        sheet.write(row, col, header, formats.header)
        sheet.set_column(col, col, width)
    for offset, cells in enumerate(rows, start=1):
        for col, (value, fmt) in enumerate(cells):
            if value is None or value == "":
                sheet.write_blank(row + offset, col, None, fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row + offset, col, dt.datetime.combine(value, dt.time()), fmt)
            else:
                sheet.write(row + offset, col, value, fmt)
    if rows:
        sheet.autofilter(row, 0, row + len(rows), len(columns) - 1)
    sheet.freeze_panes(row + 1, 0)
    return row + len(rows) + 1


def _with_unit(row: IndicatorRow) -> str:
    """``满意率（%）``; ``平均办理时长（工作日）`` as it is, its name having its unit already."""
    unit = "%" if row.is_percent else row.unit
    return row.name if f"（{unit}）" in row.name else f"{row.name}（{unit}）"


# --- sheets -------------------------------------------------------------------------------------


def _summary(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[0], "评价指标总体情况")
    columns = [
        ("指标", 22),
        ("本期值", 9),
        ("单位", 8),
        ("分子（件数/合计）", 10),
        ("分母（件数）", 10),
        ("目标值", 8),
        ("指标方向", 10),
        ("是否达标", 9),
        ("上期值", 9),
        ("上期分子", 9),
        ("上期分母", 9),
        ("变化", 8),
        ("变化说明", 28),
    ]

    def cells(row: IndicatorRow) -> list[tuple[Any, Any]]:
        previous = row.previous
        return [
            (row.name, formats.bold),
            (row.current.value, formats.number),
            (row.unit, formats.text),
            (row.current.numerator, formats.integer),
            (row.current.denominator, formats.integer),
            (row.target, formats.number),
            (row.direction_text, formats.text),
            (row.current.met_text, formats.missed if row.current.met is False else formats.text),
            (previous.value if previous else None, formats.number),
            (previous.numerator if previous else None, formats.integer),
            (previous.denominator if previous else None, formats.integer),
            (row.delta, formats.number),
            (row.change_text, formats.text),
        ]

    after = _table(sheet, formats, HEADER_ROW, columns, [cells(row) for row in report.indicators])

    row = after + 1
    sheet.write(row, 0, "本期评价满意度分布", formats.heading)
    for col, (label, _) in enumerate(report.ratings_by_level):
        sheet.write(row + 1, col + 1, label, formats.header)
        sheet.write(row + 2, col + 1, report.ratings_by_level[col][1], formats.integer)
    sheet.write(row + 1, 0, "满意度", formats.header)
    sheet.write(row + 2, 0, "评价件数", formats.bold)
    total_col = len(report.ratings_by_level) + 1
    sheet.write(row + 1, total_col, "合计", formats.header)
    sheet.write(row + 2, total_col, report.ratings_total, formats.integer)

    percent = report.percent_indicators
    if not percent:
        return
    data = row + 5
    sheet.write(data, 0, "图表数据：百分比指标（%）", formats.heading)
    for col, header in enumerate(("指标", "本期", "上期", "目标值")):
        sheet.write(data + 1, col, header, formats.header)
    for offset, indicator in enumerate(percent, start=2):
        sheet.write(data + offset, 0, indicator.name, formats.bold)
        for col, value in enumerate(
            (
                indicator.current.value,
                indicator.previous.value if indicator.previous else None,
                indicator.target,
            ),
            start=1,
        ):
            if value is None:
                sheet.write_blank(data + offset, col, None, formats.number)
            else:
                sheet.write_number(data + offset, col, value, formats.number)
    first, last = data + 2, data + 1 + len(percent)
    chart = book.add_chart({"type": "bar"})
    for col, colour in ((1, "#2f6db5"), (2, "#b8bec7"), (3, "#1a1a1a")):
        series: dict[str, Any] = {
            "name": [SHEETS[0], data + 1, col],
            "categories": [SHEETS[0], first, 0, last, 0],
            "values": [SHEETS[0], first, col, last, col],
            "fill": {"color": colour},
            "data_labels": {"value": True, "num_format": "0.0", "font": CHART_FONT},
        }
        if col == 3:
            series["fill"] = {"none": True}
            series["border"] = {"color": colour, "width": 1.5, "dash_type": "dash"}
            series["data_labels"] = {"value": False}
        chart.add_series(series)
    chart.set_title({"name": "百分比指标：本期、上期与目标值", "name_font": {**CHART_FONT, "size": 11}})
    chart.set_x_axis({"min": 0, "max": 100, "num_font": CHART_FONT, "name": "%"})
    chart.set_y_axis({"reverse": True, "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    chart.set_size({"width": 720, "height": 80 + 60 * len(percent)})
    sheet.insert_chart(data, 5, chart)


def _items(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[1], "分事项指标")
    if not report.items:
        sheet.write(HEADER_ROW, 0, "本期没有关联到具体事项的记录。", formats.note)
        return
    columns: list[tuple[str, float]] = [("事项", 26), ("实施编码", 22), ("实施部门", 14)]
    columns += [(_with_unit(row), 11) for row in report.indicators]
    rows = []
    for item in report.items:
        cells: list[tuple[Any, Any]] = [
            (item.name, formats.bold),
            (item.code, formats.text),
            (item.department, formats.text),
        ]
        cells += [(f.value, formats.number) for f in item.figures]
        rows.append(cells)
    after = _table(sheet, formats, HEADER_ROW, columns, rows)
    for col, row in enumerate(report.indicators, start=3):  # misses stand out
        sheet.conditional_format(
            HEADER_ROW + 1,
            col,
            after - 1,
            col,
            {
                "type": "cell",
                "criteria": "<" if row.indicator.direction == "higher" else ">",
                "value": row.target,
                "format": book.add_format({"font_color": "#a1420f", "bold": True}),
            },
        )

    index = report.satisfaction_index
    if index is not None:
        col = 3 + index
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": [SHEETS[1], HEADER_ROW, col],
                "categories": [SHEETS[1], HEADER_ROW + 1, 0, after - 1, 0],
                "values": [SHEETS[1], HEADER_ROW + 1, col, after - 1, col],
                "fill": {"color": "#2f6db5"},
                "data_labels": {"value": True, "num_format": "0.0", "font": CHART_FONT},
            }
        )
        name = report.indicators[index].name
        chart.set_title({"name": f"各事项{name}", "name_font": {**CHART_FONT, "size": 11}})
        chart.set_x_axis({"min": 0, "max": 100, "num_font": CHART_FONT})
        chart.set_y_axis({"reverse": True, "num_font": CHART_FONT})
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 90 + 32 * len(report.items)})
        sheet.insert_chart(HEADER_ROW, len(columns) + 1, chart)  # beside the table

    start = after + 2
    sheet.write(start, 0, "计数明细：各事项各项指标的分子和分母", formats.heading)
    detail = [
        [
            (item.name, formats.text),
            (item.code, formats.text),
            (row.name, formats.text),
            (figure.value, formats.number),
            (row.unit, formats.text),
            (figure.numerator, formats.integer),
            (figure.denominator, formats.integer),
            (row.target, formats.number),
            (figure.met_text, formats.missed if figure.met is False else formats.text),
        ]
        for item in report.items
        for row, figure in zip(report.indicators, item.figures, strict=True)
    ]
    headers = [("事项", 26), ("实施编码", 22), ("指标", 14), ("数值", 11), ("单位", 8)]
    headers += [("分子", 8), ("分母", 8), ("目标值", 8), ("是否达标", 9)]
    for col, (header, _) in enumerate(headers):
        sheet.write(start + 1, col, header, formats.header)
    for offset, cells in enumerate(detail, start=2):
        for col, (value, fmt) in enumerate(cells):
            if value is None:
                sheet.write_blank(start + offset, col, None, fmt)
            else:
                sheet.write(start + offset, col, value, fmt)


def _cases(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[2], "差评处理工单")
    if not report.cases:
        sheet.write(HEADER_ROW, 0, "本期没有差评，未建立差评处理工单。", formats.note)
        return
    columns = [
        ("工单编号", 20),
        ("评价编号", 20),
        ("被评价办件", 20),
        ("事项", 24),
        ("承办部门", 14),
        ("满意度", 11),
        ("实名/匿名", 9),
        ("评价意见", 30),
        ("立案日期", 11),
        ("办理期限", 11),
        ("状态", 8),
        ("回访日期", 11),
        ("回访方式", 8),
        ("回访满意度", 10),
        ("回访情况", 24),
        ("处理结果", 10),
        ("处理说明", 30),
        ("复核结论", 16),
        ("办结日期", 11),
        ("时效", 11),
    ]
    rows = [
        [
            (c.case_no, formats.bold),
            (c.rating_no, formats.text),
            (c.rated_receipt, formats.text),
            (c.item, formats.text),
            (c.department, formats.text),
            (c.level_text, formats.text),
            (c.named_text, formats.text),
            (c.comment, formats.text),
            (c.opened, formats.date),
            (c.due, formats.date),
            (c.status, formats.text),
            (c.visited, formats.date),
            (c.visit_method, formats.text),
            (c.visit_satisfaction, formats.text),
            (c.visit_note or (c.visit_text if not (c.visited or c.visit_method) else ""), formats.text),
            (c.outcome, formats.text),
            (c.outcome_text, formats.text),
            (c.decision, formats.text),
            (c.closed, formats.date),
            (c.timeliness, formats.missed if c.overdue else formats.text),
        ]
        for c in report.cases
    ]
    _table(sheet, formats, HEADER_ROW, columns, rows)


def _complaints(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[3], "投诉和建议")
    if not report.complaints:
        sheet.write(HEADER_ROW, 0, "本期没有收到投诉和建议。", formats.note)
        return
    columns = [
        ("编号", 20),
        ("类型", 6),
        ("事项", 24),
        ("主题", 30),
        ("提交日期", 11),
        ("答复期限", 11),
        ("答复日期", 11),
        ("状态", 8),
        ("答复内容", 40),
        ("时效", 11),
    ]
    rows = [
        [
            (c.receipt_no, formats.bold),
            (c.type, formats.text),
            (c.item, formats.text),
            (c.subject, formats.text),
            (c.submitted, formats.date),
            (c.reply_due, formats.date),
            (c.replied, formats.date),
            (c.status, formats.text),
            (c.reply, formats.text),
            (c.timeliness, formats.missed if c.on_time is False else formats.text),
        ]
        for c in report.complaints
    ]
    after = _table(sheet, formats, HEADER_ROW, columns, rows)
    s = report.complaint_summary
    sheet.write(
        after + 1,
        0,
        f"投诉 {s.complaints} 件、建议 {s.suggestions} 件；按时答复率 {s.on_time_text}"
        "（收到服务意见后 3 个工作日内反馈，T/CIPS 007—2024 9.3 c；尚未到答复期限的不计入）。",
        formats.note,
    )


def _measures(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[4], "改进措施")
    if not report.measures:
        sheet.write(HEADER_ROW, 0, "本期未登记改进措施。", formats.note)
        return
    columns = [
        ("编号", 18),
        ("措施", 36),
        ("来源", 8),
        ("责任部门", 16),
        ("完成期限", 11),
        ("状态", 8),
        ("实施效果", 36),
        ("公开情况", 9),
    ]
    rows = [
        [
            (m.measure_no, formats.bold),
            (m.title, formats.text),
            (m.source, formats.text),
            (m.owner, formats.text),
            (m.due, formats.date),
            (m.status, formats.text),
            (m.effect, formats.text),
            (m.public_text, formats.text),
        ]
        for m in report.measures
    ]
    _table(sheet, formats, HEADER_ROW, columns, rows)


def _definitions(book: Workbook, formats: _Formats, report: Report) -> None:
    sheet = _sheet(book, formats, report, SHEETS[5], "指标说明")
    columns = [
        ("指标", 20),
        ("标识", 24),
        ("定义", 70),
        ("计算方法", 36),
        ("单位", 8),
        ("目标值", 14),
        ("指标方向", 10),
        ("依据", 40),
    ]
    rows = [
        [
            (row.name, formats.bold),
            (row.id, formats.text),
            (row.definition, formats.text),
            (row.formula_text, formats.text),
            (row.unit, formats.text),
            (row.target_text, formats.text),
            (row.direction_text, formats.text),
            (row.basis, formats.text),
        ]
        for row in report.indicators
    ]
    _table(sheet, formats, HEADER_ROW, columns, rows)
