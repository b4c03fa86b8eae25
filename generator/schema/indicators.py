"""``catalog/indicators.yml``: the 服务评价指标体系 (T/CIPS 007—2024 9.1 c).

Each indicator says in Chinese what it measures, how it is computed, its unit and the target
the centre sets itself. The formula is data, not code: it names counts and measures from a
fixed vocabulary (``INDICATOR_COUNTS`` and ``INDICATOR_MEASURES`` in :mod:`.tables`), which
the forms service's evaluation implements over the stored records. Three forms:

- a ratio: ``numerator`` and ``denominator``, each one count or a list of counts added up,
  unit 百分比;
- an average: ``average`` of a measure, in the measure's unit (工作日);
- a count: ``count``, unit 件.

That exactly one form is given, that the unit matches it and that a ratio's numerator is a
part of its denominator is checked by ``check_indicators`` in
:mod:`generator.validation.rules`, where the editor gets a file:line message.
"""

from __future__ import annotations

import difflib
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from . import tables as _t
from .base import CatalogModel, field
from .tables import Table
from .types import Prose, Slug, Text, choice, fail

RATIO, AVERAGE, COUNT = "ratio", "average", "count"
"""The three forms of a formula."""

COUNT_WHOLES: dict[str, str] = {
    "satisfied_ratings": "ratings",
    "bad_ratings": "ratings",
    "applications_told_once": "applications_accepted",
    "applications_completed_on_time": "applications_completed",
    "applications_completed_late": "applications_completed",
    "consultations_replied_on_time": "consultations_due",
    "complaints_replied_on_time": "complaints_due",
    "cases_named": "cases",
    "cases_visited": "cases_named",
    "cases_resolved": "cases",
    "cases_rectified": "cases_resolved",
    "visits_done": "visits_scheduled",
}
"""Count -> the count it is a part of (every record it counts is counted there too). A ratio
divides parts by a whole they belong to, so that it stays within 0–100 %."""

MEASURE_UNITS: dict[str, str] = {"handling_workdays": "工作日", "reply_workdays": "工作日"}
"""The unit of each measure; an average is in the unit of what it averages."""

FORM_UNITS: dict[str, str] = {RATIO: "百分比", COUNT: "件"}

assert set(COUNT_WHOLES) | set(COUNT_WHOLES.values()) <= set(_t.INDICATOR_COUNTS.entries)
assert set(MEASURE_UNITS) == set(_t.INDICATOR_MEASURES.entries)
assert set(MEASURE_UNITS.values()) | set(FORM_UNITS.values()) <= set(_t.INDICATOR_UNITS.entries)


def wholes_of(count: str) -> list[str]:
    """The counts ``count`` is a part of, nearest first (empty for a whole of its own)."""
    found = []
    while count in COUNT_WHOLES:
        count = COUNT_WHOLES[count]
        found.append(count)
    return found


def _unknown(table: Table, value: str) -> Any:
    close = difflib.get_close_matches(value, list(table.entries), n=1, cutoff=0.6)
    if close:
        return fail(
            "E004",
            "的值「{value}」不在{table}代码表中，是否应为「{close}」（{label}）？",
            value=value,
            table=table.name,
            close=close[0],
            label=table.label(close[0]),
        )
    return fail(
        "E004",
        "的值「{value}」不在{table}代码表中，应为：{options}",
        value=value,
        table=table.name,
        options="、".join(table.entries),
    )


def _name_from(table: Table) -> Any:
    """A name from ``table``; an unknown one is reported with the closest name, if any."""

    def check(value: object) -> object:
        if isinstance(value, str) and value.strip() not in table:
            raise _unknown(table, value.strip())
        return value.strip() if isinstance(value, str) else value

    schema: dict[str, Any] = {
        "type": "string",
        "enum": list(table.entries),
        "enumDescriptions": [table.label(v) for v in table.entries],
    }
    return Annotated[str, BeforeValidator(check), WithJsonSchema(schema)]


def _names_from(table: Table) -> Any:
    """One name from ``table`` or a list of them (added up); always read as a list."""

    def check(value: object) -> list[str]:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise fail(
                "E003",
                "应为{table}名称，或名称的列表（相加），例如 [cases_visited, visits_done]",
                table=table.name,
            )
        if not values:
            raise fail("E007", "至少需要 1 个{table}名称", table=table.name)
        names = [v.strip() for v in values]
        for name in names:
            if name not in table:
                raise _unknown(table, name)
        return names

    one = {
        "type": "string",
        "enum": list(table.entries),
        "enumDescriptions": [table.label(v) for v in table.entries],
    }
    # The string form comes first in anyOf: the editor's field reference reads the allowed
    # values from the first option, and from "items" when it describes the list.
    schema = {"anyOf": [one, {"type": "array", "minItems": 1}], "items": one}
    return Annotated[list[str], BeforeValidator(check), WithJsonSchema(schema)]


CountName = _name_from(_t.INDICATOR_COUNTS)
CountNames = _names_from(_t.INDICATOR_COUNTS)
MeasureName = _name_from(_t.INDICATOR_MEASURES)
IndicatorUnit = choice(_t.INDICATOR_UNITS)
Direction = choice(_t.INDICATOR_DIRECTIONS)


class Formula(CatalogModel):
    """How an indicator is computed: a ratio, an average or a count (exactly one of them)."""

    numerator: CountNames | None = field(
        "分子",
        "比率的分子：一个计数名称，或几个计数名称的列表（相加）。须与分母一起填写，指标单位为“百分比”；"
        "分子中的每个计数都应是分母中某个计数的一部分（如 bad_ratings 是 ratings 的一部分，"
        "cases_visited 是 cases_named 和 cases 的一部分）。",
        example="satisfied_ratings",
        default=None,
    )
    denominator: CountNames | None = field(
        "分母",
        "比率的分母：一个计数名称，或几个计数名称的列表（相加）。分母为 0 时指标值为空（无数据）。",
        example="ratings",
        default=None,
    )
    average: MeasureName | None = field(
        "平均值",
        "求平均值的度量名称，指标单位与度量一致（工作日）。不与分子、分母或计数同时填写。",
        example="handling_workdays",
        default=None,
    )
    count: CountName | None = field(
        "计数",
        "直接以件数作为指标值的计数名称，指标单位为“件”。不与分子、分母或平均值同时填写。",
        example="bad_ratings",
        default=None,
    )

    @property
    def forms(self) -> list[str]:
        """The forms this formula gives (a valid formula gives exactly one)."""
        found = []
        if self.numerator is not None or self.denominator is not None:
            found.append(RATIO)
        if self.average is not None:
            found.append(AVERAGE)
        if self.count is not None:
            found.append(COUNT)
        return found

    @property
    def form(self) -> str:
        """``ratio``, ``average`` or ``count``; ValueError for a formula that validation rejects."""
        forms = self.forms
        if len(forms) != 1 or (forms == [RATIO] and (not self.numerator or not self.denominator)):
            raise ValueError(f"invalid formula: {self.model_dump(exclude_none=True)}")
        return forms[0]

    @property
    def unit(self) -> str:
        """The unit the formula's values are in."""
        form = self.form
        return MEASURE_UNITS[self.average] if form == AVERAGE and self.average else FORM_UNITS[form]


class Indicator(CatalogModel):
    """One evaluation indicator."""

    id: Slug = field(
        "指标标识",
        "指标的唯一标识，只用小写英文字母、数字和连字符；评价报告和公示页面用它引用指标，发布后不要修改。",
        example="satisfaction-rate",
    )
    name: Text = field("指标名称", "指标的中文名称，例如“满意率”。", example="满意率")
    definition: Text = field(
        "指标定义",
        "指标的含义和统计口径：统计什么、以哪个日期归入统计期、分子分母各是什么，写给服务对象和主管部门看。",
        example="统计期内提交的评价中，满意度为非常满意、满意或基本满意的评价所占的比例。",
    )
    formula: Formula = field("计算公式", "指标怎样从办件、评价等记录中计算出来。")
    unit: IndicatorUnit = field(
        "单位",
        "指标值的单位：比率为“百分比”，平均值为所求度量的单位（工作日），计数为“件”。",
        example="百分比",
    )
    target: float = field(
        "目标值",
        "中心确定的目标；百分比指标填 0—100 之间的数，如 95 表示 95%。",
        example=95,
        ge=0,
    )
    direction: Direction = field(
        "指标方向",
        "higher 表示越高越好（指标值不低于目标值即达标），lower 表示越低越好（不高于目标值即达标）。",
        example="higher",
    )
    public: bool = field(
        "公开",
        "true 表示在网站的服务评价结果公示中显示该指标（T/CIPS 007—2024 9.3 d）。",
        example=True,
        default=False,
    )
    per_item: bool = field(
        "按事项公示",
        "true 表示在网站的服务评价结果页面上除总体指标值外，还按事项逐项公示该指标；须同时公开（public: true）。",
        example=True,
        default=False,
    )
    guide: bool = field(
        "在办事指南显示",
        "true 表示在每个事项的办事指南页面显示该事项的指标值；须同时公开（public: true）并按事项公示（per_item: true）。",
        example=True,
        default=False,
    )
    basis: Prose | None = field(
        "依据",
        "指标和目标值的出处，例如文件、标准条款或中心的年度服务目标。",
        example="国办发〔2019〕51号；T/CIPS 007—2024 9.1",
        default=None,
    )

    def met_by(self, value: float | None) -> bool | None:
        """Whether ``value`` reaches the target (not below it when higher is better, not above
        it when lower is better); None without a value."""
        if value is None:
            return None
        return value >= self.target if self.direction == "higher" else value <= self.target


class IndicatorsFile(CatalogModel):
    indicators: list[Indicator] = field(
        "评价指标", "服务评价指标体系中的指标，按希望在评价报告中显示的顺序排列。", default_factory=list
    )


def value_of(form: str, numerator: int, denominator: int | None) -> float | None:
    """An indicator's value from its counts: a ratio's percentage (95.0 is 95 %), an average's
    sum divided by the number measured, a count itself; None with nothing to divide by."""
    if form == COUNT:
        return float(numerator)
    if not denominator:
        return None
    return (100 * numerator if form == RATIO else numerator) / denominator


def one_place(value: float | None) -> str:
    """``value`` with one decimal, rounded half up (2.25 is 2.3), as the report and the site
    write indicator values; empty for None."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
