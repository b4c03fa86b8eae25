"""``catalog/results.yml``: the 服务评价结果 the site publishes (T/CIPS 007—2024 9.3 d).

The figures of one period (overall, and per item for the indicators marked ``per_item``) and
the improvement measures staff marked public. ``ipps results export`` writes the file from the
stored records; it is published through a pull request
like every other catalog change, so a person reads what goes public before it does, and the
site stays static: ``ipps build`` reads the file as it reads the rest of the catalog.

A figure keeps its counts, not its value: the value follows from them and the indicator's
formula (:func:`.indicators.value_of`), so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from . import tables as _t
from .base import CatalogModel, field
from .types import Prose, Slug, Text, choice, patterned

MEASURE_NUMBER = r"GJ\d{8}-\d{6}"
"""An improvement measure's number (the service's numbering: prefix GJ, date, number of the day)."""

MeasureSource = choice(_t.MEASURE_SOURCES)
MeasureState = choice(_t.MEASURE_STATES)


class Figure(CatalogModel):
    """One indicator's counts over the period."""

    indicator: Slug = field(
        "指标", "指标标识（indicators.yml 中的 id），该指标须为公开指标。", example="satisfaction-rate"
    )
    numerator: int = field(
        "分子",
        "比率的分子（如满意的评价数）；平均值为所求度量的合计（如办理工作日数之和）；计数指标为件数。",
        example=39,
        ge=0,
    )
    denominator: int | None = field(
        "分母",
        "比率的分母（如评价总数）；平均值为参与平均的件数；计数指标不填。为 0 表示统计期内没有数据。",
        example=40,
        default=None,
        ge=0,
    )


class ItemFigures(CatalogModel):
    """The figures of one item."""

    item: Slug = field("事项", "事项的标识（items/ 下的文件名，不含 .yml）。", example="patent-pledge")
    figures: list[Figure] = field(
        "指标数据",
        "该事项按事项公示的指标（indicators.yml 中 per_item 为 true 的指标）。",
        default_factory=list,
    )


class PublishedMeasure(CatalogModel):
    """An improvement measure, as published."""

    measure_no: patterned(MEASURE_NUMBER, hint="，应为改进措施编号，例如 GJ20261124-000001") = field(  # type: ignore[valid-type]
        "措施编号", "工作台登记改进措施时生成的编号。", example="GJ20261124-000001"
    )
    title: Text = field("改进措施", "采取的措施，一句话。", example="增设专利质押登记材料预审窗口")
    problem: Prose | None = field(
        "发现的问题", "措施针对的问题，不含个人信息。", example="窗口办理高峰时段等候时间较长", default=None
    )
    source: MeasureSource = field("问题来源", "从哪里发现的问题。", example="评价")
    owner: Slug | None = field(
        "责任单位",
        "负责落实的部门或机构（departments.yml 中的标识）。",
        example="market-regulation",
        default=None,
    )
    item: Slug | None = field(
        "相关事项", "措施涉及的事项的标识；不针对某个事项的不填。", example="patent-pledge", default=None
    )
    due_date: dt.date = field("完成期限", "计划完成的日期，格式 YYYY-MM-DD。", example="2026-12-31")
    status: MeasureState = field("进展", "措施的进展。", example="进行中")
    effect: Prose | None = field(
        "实施效果",
        "措施实施后观察到的效果；已完成的措施应填写。",
        example="高峰时段平均等候时间由 40 分钟降至 15 分钟",
        default=None,
    )
    updated: dt.date = field("更新日期", "措施最后一次更新的日期。", example="2026-11-24")


class ResultsFile(CatalogModel):
    start: dt.date = field("统计期开始日期", "统计期第一天，格式 YYYY-MM-DD。", example="2026-07-01")
    end: dt.date = field("统计期结束日期", "统计期最后一天（含），格式 YYYY-MM-DD。", example="2026-09-30")
    as_of: dt.date = field(
        "数据截止日期",
        "统计数据的提取日期：截至该日尚未到期的事项（如尚未到答复期限的咨询）不计入。",
        example="2026-10-08",
    )
    figures: list[Figure] = field("总体指标", "全部事项合计的公开指标。", default_factory=list)
    items: list[ItemFigures] = field(
        "分事项指标", "各事项按事项公示的指标；统计期内没有数据的事项不列。", default_factory=list
    )
    measures: list[PublishedMeasure] = field(
        "改进措施", "工作人员标为公开的改进措施（T/CIPS 007—2024 9.3 d）。", default_factory=list
    )
