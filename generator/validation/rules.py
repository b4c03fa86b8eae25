"""Checks that need more than one field or more than one file.

Each rule reads :class:`CatalogParts` (whatever of the catalog could be read) and yields
:class:`Finding`s. References are checked against identifiers *declared* in the raw data,
so that a department whose entry has a typo elsewhere does not also make every item that
names it fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.problems import Finding
from generator.schema import FeeStandard, Figure, Item, ResultsFile, TimeLimit
from generator.schema.faq import receipt_day
from generator.schema.indicators import AVERAGE, COUNT, RATIO, Formula, Indicator, wholes_of
from generator.schema.tables import INDICATOR_COUNTS

from .events import check_events
from .guides import check_guides
from .parts import FILES_DIR, CatalogParts, SourceFile, suggest
from .points import check_points

RESERVED_FORM_FIELDS = frozenset(
    {
        "item_code",
        "applicant_type",
        "applicant_name",
        "id_number",
        "credit_code",
        "phone",
        "email",
        "website",  # the honeypot field of every public form
        "csrf_token",
    }
)

Rule = Callable[[CatalogParts], Iterator[Finding]]


# --- identifiers declared anywhere in the raw data ---------------------------------------


def _raw_list(data: Any, key: str) -> list[dict[str, Any]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _raw_ids(entries: Iterable[dict[str, Any]]) -> set[str]:
    return {str(e["id"]) for e in entries if "id" in e}


class Declared:
    """Identifiers the catalog declares, whether or not their entries are otherwise valid."""

    def __init__(self, parts: CatalogParts) -> None:
        self.items = {f.stem for f in parts.of_kind("item")}
        self.departments: dict[str, str] = {}
        for f in parts.of_kind("departments"):
            for entry in _raw_list(f.data, "departments"):
                if "id" in entry:  # the first declaration counts; repeats are reported
                    self.departments.setdefault(str(entry["id"]), str(entry.get("kind", "")))
        self.categories = {
            str(e["id"])
            for f in parts.of_kind("directory")
            for e in _raw_list(f.data, "entries")
            if "id" in e
        }
        self.fees: set[str] = set()
        self.reductions: set[str] = set()
        self.fee_standards: set[str] = set()
        for f in parts.of_kind("fee-standard"):
            self.fee_standards.add(f.stem)
            self.fees |= {f"{f.stem}/{i}" for i in _raw_ids(_raw_list(f.data, "fees"))}
            self.reductions |= {f"{f.stem}/{i}" for i in _raw_ids(_raw_list(f.data, "reductions"))}


def _items(parts: CatalogParts) -> Iterator[tuple[SourceFile, Item]]:
    return parts.models("item")


# --- file names and identifiers ------------------------------------------------------------

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def check_file_names(parts: CatalogParts) -> Iterator[Finding]:
    for f in [*parts.of_kind("item"), *parts.of_kind("fee-standard")]:
        if not _SLUG.fullmatch(f.stem):
            yield Finding(
                f.rel,
                (),
                "E006",
                f"文件名「{f.stem}」会成为网址和引用标识，只能使用小写英文字母、数字和连字符，例如 patent-pledge.yml",
            )


def _repeats(
    what: str, entries: Iterable[tuple[str, SourceFile, tuple[str | int, ...]]]
) -> Iterator[Finding]:
    first: dict[str, SourceFile] = {}
    for key, source, loc in entries:
        if key in first:
            where = "本文件" if first[key] is source else f" {first[key].rel} "
            yield Finding(source.rel, loc, "E101", f"{what}「{key}」重复，已在{where}中使用")
        else:
            first[key] = source


def check_unique_ids(parts: CatalogParts) -> Iterator[Finding]:
    items = list(_items(parts))
    yield from _repeats("实施编码", ((i.implementation_code, f, ("implementation_code",)) for f, i in items))
    names_by_basic: dict[str, tuple[SourceFile, str]] = {}
    for f, item in items:
        seen = names_by_basic.setdefault(item.basic_code, (f, item.name))
        if seen[1] != item.name:
            yield Finding(
                f.rel,
                ("basic_code",),
                "E101",
                f"基本编码「{item.basic_code}」已被 {seen[0].rel}（{seen[1]}）使用；"
                "同一基本编码下的事项名称应一致，不同事项应使用不同的基本编码",
            )
    for f, item in items:
        yield from _repeats(
            "材料标识", ((m.id, f, ("materials", n, "id")) for n, m in enumerate(item.materials))
        )
        yield from _repeats(
            "申请表字段标识",
            ((x.id, f, ("application_fields", n, "id")) for n, x in enumerate(item.application_fields)),
        )
        yield from _repeats("相关事项", ((r, f, ("related", n)) for n, r in enumerate(item.related)))
    for f, model in parts.models("departments"):
        yield from _repeats(
            "部门标识", ((d.id, f, ("departments", n, "id")) for n, d in enumerate(model.departments))
        )
        yield from _repeats(
            "统一社会信用代码",
            ((d.credit_code, f, ("departments", n, "credit_code")) for n, d in enumerate(model.departments)),
        )
    yield from _repeats(
        "名录条目标识",
        (
            (e.id, f, ("entries", n, "id"))
            for f, d in parts.models("directory")
            for n, e in enumerate(d.entries)
        ),
    )
    for f, directory in parts.models("directory"):
        yield from _repeats(
            "名录序号", ((str(e.seq), f, ("entries", n, "seq")) for n, e in enumerate(directory.entries))
        )
    for f, standard in parts.models("fee-standard"):
        yield from _repeats(
            "收费项目标识", ((x.id, f, ("fees", n, "id")) for n, x in enumerate(standard.fees))
        )
        yield from _repeats(
            "减缴标识", ((x.id, f, ("reductions", n, "id")) for n, x in enumerate(standard.reductions))
        )
    for f, model in parts.models("themes"):
        yield from _repeats("主题标识", ((t.id, f, ("themes", n, "id")) for n, t in enumerate(model.themes)))
        for n, theme in enumerate(model.themes):
            yield from _repeats(
                "主题中的事项", ((s, f, ("themes", n, "items", k)) for k, s in enumerate(theme.items))
            )
    for f, model in parts.models("data-assets"):
        yield from _repeats("资产标识", ((a.id, f, ("assets", n, "id")) for n, a in enumerate(model.assets)))
    for f, platform in parts.models("platform"):
        yield from _repeats(
            "入口标识", ((a.id, f, ("audiences", n, "id")) for n, a in enumerate(platform.audiences))
        )
    for f, model in parts.models("faq"):
        yield from _repeats(
            "来源办件编号", ((e.source, f, ("faqs", n, "source")) for n, e in enumerate(model.faqs))
        )
    for f, model in parts.models("results"):
        yield from _repeats("事项", ((x.item, f, ("items", n, "item")) for n, x in enumerate(model.items)))
        yield from _repeats(
            "措施编号",
            ((m.measure_no, f, ("measures", n, "measure_no")) for n, m in enumerate(model.measures)),
        )
        for loc, figures in _figure_lists(model):
            yield from _repeats(
                "指标", ((x.indicator, f, (*loc, n, "indicator")) for n, x in enumerate(figures))
            )
    for f, model in parts.models("indicators"):
        for key, what in (("id", "指标标识"), ("name", "指标名称")):
            yield from _repeats(
                what, ((getattr(x, key), f, ("indicators", n, key)) for n, x in enumerate(model.indicators))
            )


# --- codes -----------------------------------------------------------------------------------


def check_codes(parts: CatalogParts) -> Iterator[Finding]:
    platform_file = next(iter(parts.of_kind("platform")), None)
    platform = parts.single("platform")
    if platform is None or platform_file is None:
        return
    patterns: dict[str, re.Pattern[str]] = {}
    for which in ("basic", "implementation"):
        source = getattr(platform.settings.code_patterns, which)
        try:
            patterns[which] = re.compile(source)
        except re.error as exc:
            yield Finding(
                platform_file.rel,
                ("settings", "code_patterns", which),
                "E006",
                f"编码格式「{source}」不是有效的正则表达式：{exc.msg}",
            )
    labels = {"basic": ("基本编码", "basic_code"), "implementation": ("实施编码", "implementation_code")}
    for f, item in _items(parts):
        for which, pattern in patterns.items():
            label, key = labels[which]
            value = getattr(item, key)
            if not pattern.fullmatch(value):
                yield Finding(
                    f.rel,
                    (key,),
                    "E113",
                    f"{label}「{value}」不符合平台规定的格式 {pattern.pattern}（见 platform.yml 的编码规则）",
                )
        if not item.implementation_code.startswith(item.basic_code):
            yield Finding(
                f.rel,
                ("implementation_code",),
                "E113",
                f"实施编码「{item.implementation_code}」应以基本编码「{item.basic_code}」开头",
            )


# --- references ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A field whose value names something declared elsewhere in the catalog."""

    kind: str
    """The file kind the field is in."""
    path: tuple[str, ...]
    """Keys from the top of the file; ``*`` stands for every entry of a list."""
    target: str
    """What is named: ``department``, ``category``, ``fee``, ``reduction`` or ``item``."""
    label: str


REFERENCES: tuple[Reference, ...] = (
    Reference("item", ("department",), "department", "实施部门"),
    Reference("item", ("co_departments", "*"), "department", "共同实施部门"),
    Reference("item", ("category",), "category", "事项类别"),
    Reference("item", ("fees", "items", "*", "fee"), "fee", "收费项目"),
    Reference("item", ("fees", "reduction"), "reduction", "减缴政策"),
    Reference("item", ("related", "*"), "item", "相关事项"),
    Reference("item", ("status", "replaced_by"), "item", "替代事项"),
    Reference("themes", ("themes", "*", "items", "*"), "item", "主题中的事项"),
    Reference("data-assets", ("assets", "*", "owner"), "department", "归属部门"),
    Reference("platform", ("featured_items", "*"), "item", "常用事项"),
    Reference("platform", ("notices", "*", "item"), "item", "公告的相关事项"),
    Reference("faq", ("faqs", "*", "item"), "item", "问答的所属事项"),
    Reference("results", ("items", "*", "item"), "item", "评价结果的事项"),
    Reference("results", ("measures", "*", "item"), "item", "改进措施的相关事项"),
    Reference("results", ("measures", "*", "owner"), "department", "改进措施的责任单位"),
)


def _walk(
    data: Any, path: tuple[str, ...], loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string found at ``path`` in raw YAML data, with its location."""
    if not path:
        if isinstance(data, str):
            yield loc, data
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(data, list):
            for index, entry in enumerate(data):
                yield from _walk(entry, rest, (*loc, index))
    elif isinstance(data, dict) and step in data:
        yield from _walk(data[step], rest, (*loc, step))


def check_references(parts: CatalogParts) -> Iterator[Finding]:
    """References are checked on the raw data, so they are reported even in a file that
    has other problems."""
    declared = Declared(parts)
    for reference in REFERENCES:
        for f in parts.of_kind(reference.kind):
            for loc, value in _walk(f.data, reference.path):
                if loc in f.invalid:
                    continue
                if message := _unresolved(reference, value, f, declared):
                    code = {"department": "E103", "category": "E104", "fee": "E105", "reduction": "E105"}
                    yield Finding(f.rel, loc, code.get(reference.target, "E106"), message)


def _unresolved(reference: Reference, value: str, f: SourceFile, declared: Declared) -> str | None:
    what = f"{reference.label}「{value}」"
    if reference.target == "department":
        if value not in declared.departments:
            return f"{what}不在 departments.yml 中" + suggest(value, declared.departments)
        if reference.path == ("department",) and declared.departments[value] == "合作机构":
            return f"「{value}」是合作机构，不能作为事项的实施部门"
    elif reference.target == "category":
        if value not in declared.categories:
            return f"{what}不在基础服务名录或个性化增值服务名录中" + suggest(value, declared.categories)
    elif reference.target in ("fee", "reduction"):
        known = declared.fees if reference.target == "fee" else declared.reductions
        standard = value.partition("/")[0]
        if value in known:
            return None
        if standard not in declared.fee_standards:
            return f"{what}引用的收费标准「{standard}」不存在（应为 fees/ 下的文件名）" + suggest(
                standard, declared.fee_standards
            )
        return f"{what}不在收费标准 fees/{standard}.yml 中" + suggest(value, known)
    elif value == f.stem and f.kind.name == "item":
        return f"{reference.label}不能是事项自身"
    elif value not in declared.items:
        return f"{what}不存在（应为 items/ 下的文件名，不含 .yml）" + suggest(value, declared.items)
    return None


def check_replacements(parts: CatalogParts) -> Iterator[Finding]:
    """Cancelled items must not be offered any more: not as a replacement, not in a theme."""
    states = {f.stem: i.status.state for f, i in _items(parts)}
    for f, item in _items(parts):
        replaced_by = item.status.replaced_by
        if replaced_by and replaced_by != f.stem and states.get(replaced_by) == "取消":
            yield Finding(
                f.rel,
                ("status", "replaced_by"),
                "E107",
                f"替代事项「{replaced_by}」本身已取消，请改为仍在提供服务的事项",
            )
    for f, model in parts.models("themes"):
        for n, theme in enumerate(model.themes):
            for k, slug in enumerate(theme.items):
                if states.get(slug) == "取消":
                    yield Finding(
                        f.rel,
                        ("themes", n, "items", k),
                        "E107",
                        f"主题「{theme.name}」包含已取消的事项「{slug}」，请删除或换成替代事项",
                    )


def check_home_page(parts: CatalogParts) -> Iterator[Finding]:
    """The home page must not feature a cancelled item, nor show a notice that ends before it starts."""
    states = {f.stem: i.status.state for f, i in _items(parts)}
    for f, platform in parts.models("platform"):
        for n, slug in enumerate(platform.featured_items):
            if states.get(slug) == "取消":
                yield Finding(
                    f.rel, ("featured_items", n), "E107", f"常用事项「{slug}」已取消，请删除或换成替代事项"
                )
        for n, notice in enumerate(platform.notices):
            if notice.until and notice.until < notice.date:
                yield Finding(
                    f.rel,
                    ("notices", n, "until"),
                    "E109",
                    f"公告「{notice.title}」的展示截止日期（{notice.until}）早于发布日期（{notice.date}）",
                )


def check_reduction_scope(parts: CatalogParts) -> Iterator[Finding]:
    """A reduction can only cover fees of its own standard."""
    for f, standard in parts.models("fee-standard"):
        fee_ids = {x.id for x in standard.fees}
        for n, reduction in enumerate(standard.reductions):
            for k, fee_id in enumerate(reduction.applies_to):
                if fee_id not in fee_ids:
                    yield Finding(
                        f.rel,
                        ("reductions", n, "applies_to", k),
                        "E105",
                        f"减缴政策「{reduction.name}」引用的收费项目「{fee_id}」不在本收费标准中"
                        + suggest(fee_id, fee_ids),
                    )


def check_faq(parts: CatalogParts) -> Iterator[Finding]:
    """A question cannot be published before it was asked (the receipt number carries the day)."""
    for f, model in parts.models("faq"):
        for n, entry in enumerate(model.faqs):
            asked = receipt_day(entry.source)
            if asked and entry.published < asked:
                yield Finding(
                    f.rel,
                    ("faqs", n, "published"),
                    "E109",
                    f"发布日期（{entry.published}）早于咨询留言 {entry.source} 的提交日期（{asked}）",
                )


# --- evaluation indicators -----------------------------------------------------------------

_FORM_NAMES = {RATIO: "比率（分子、分母）", AVERAGE: "平均值（average）", COUNT: "计数（count）"}


def _count(name: str) -> str:
    return f"「{name}」（{INDICATOR_COUNTS.label(name).split('：')[0].split('（')[0]}）"


def _ratio_problems(formula: Formula) -> Iterator[tuple[str, str]]:
    """(field, message) for a ratio whose parts do not each belong to exactly one of its wholes."""
    numerator, denominator = formula.numerator or [], formula.denominator or []
    for key, names in (("numerator", numerator), ("denominator", denominator)):
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield key, f"{_count(name)}在{'分子' if key == 'numerator' else '分母'}中出现了不止一次"
    for name in dict.fromkeys(numerator):
        wholes = wholes_of(name)
        within = [w for w in wholes if w in denominator]
        if not wholes:
            yield "numerator", f"分子中的{_count(name)}是总数，不是分母的一部分；分子应为其中的一部分"
        elif not within:
            yield "numerator", f"分子中的{_count(name)}是{_count(wholes[0])}的一部分，分母中应有 {wholes[0]}"
    for name in dict.fromkeys(denominator):
        inside = [w for w in wholes_of(name) if w in denominator]
        if inside:
            yield "denominator", f"分母中的{_count(name)}已包含在{_count(inside[0])}中，不能重复计算"
        elif not any(name in wholes_of(n) for n in numerator):
            yield "denominator", f"分母中的{_count(name)}在分子中没有对应的部分"


def _display_problems(indicator: Indicator, what: str) -> Iterator[tuple[str, str]]:
    """(field, message) for an indicator shown per item or on the guides but not published,
    or shown on the guides without its per-item figures."""
    if not indicator.public:
        if indicator.per_item:
            yield "per_item", f"{what}不公开，不能按事项公示；须同时填写 public: true"
        if indicator.guide:
            yield "guide", f"{what}不公开，不能在办事指南显示；须同时填写 public: true"
    elif indicator.guide and not indicator.per_item:
        yield "guide", f"{what}在办事指南显示各事项的指标值，须同时按事项公示（per_item: true）"


def check_indicators(parts: CatalogParts) -> Iterator[Finding]:
    """A formula has exactly one form, a ratio divides parts by the wholes they belong to, and
    the unit and target fit the form; an indicator shown per item or on the guides is public,
    and one shown on the guides is also shown per item."""
    for f, model in parts.models("indicators"):
        for n, indicator in enumerate(model.indicators):
            at = ("indicators", n)
            formula, what = indicator.formula, f"指标「{indicator.name}」"
            for key, message in _display_problems(indicator, what):
                yield Finding(f.rel, (*at, key), "E123", message)
            forms = formula.forms
            if not forms:
                yield Finding(
                    f.rel,
                    (*at, "formula"),
                    "E122",
                    f"{what}的计算公式须填写分子和分母（numerator、denominator）、平均值（average）或计数（count）之一",
                )
                continue
            if len(forms) > 1:
                yield Finding(
                    f.rel,
                    (*at, "formula"),
                    "E122",
                    f"{what}的计算公式只能选一种，实际填写了"
                    + "、".join(_FORM_NAMES[form] for form in forms),
                )
                continue
            if forms == [RATIO]:
                missing = [k for k in ("numerator", "denominator") if getattr(formula, k) is None]
                if missing:
                    label = {"numerator": "分子（numerator）", "denominator": "分母（denominator）"}
                    yield Finding(
                        f.rel,
                        (*at, "formula"),
                        "E122",
                        f"{what}的计算公式是比率，还须填写" + "、".join(label[k] for k in missing),
                    )
                    continue
                for key, message in _ratio_problems(formula):
                    yield Finding(f.rel, (*at, "formula", key), "E122", f"{what}：{message}")
            unit = formula.unit
            if indicator.unit != unit:
                yield Finding(
                    f.rel,
                    (*at, "unit"),
                    "E122",
                    f"{what}的计算公式为{_FORM_NAMES[forms[0]]}，单位应为“{unit}”，实际为“{indicator.unit}”",
                )
            elif unit == "百分比" and indicator.target > 100:
                yield Finding(
                    f.rel,
                    (*at, "target"),
                    "E007",
                    f"{what}的单位为百分比，目标值不能大于 100，实际为 {indicator.target:g}",
                )


# --- time limits -----------------------------------------------------------------------------

WORKDAY_TO_CALENDAR = Decimal("1.4")
"""Limits in different units are compared at 7 calendar days per 5 working days."""


def _calendar_days(limit: TimeLimit) -> Decimal:
    if limit.unit == "即办":
        return Decimal(0)
    value = Decimal(limit.value or 0)
    return value * WORKDAY_TO_CALENDAR if limit.unit == "工作日" else value


def _exceeds(promised: TimeLimit, legal: TimeLimit) -> bool:
    if legal.unit == promised.unit:
        return legal.unit != "即办" and (promised.value or 0) > (legal.value or 0)
    return _calendar_days(promised) > _calendar_days(legal)


def _limit_shape(
    f: SourceFile, loc: tuple[str | int, ...], limit: TimeLimit, label: str
) -> Iterator[Finding]:
    if limit.unit == "即办" and limit.value:
        yield Finding(
            f.rel, (*loc, "value"), "E007", f"{label}的单位为“即办”，不应再填写天数（{limit.value}）"
        )
    elif limit.unit != "即办" and not limit.value:
        yield Finding(f.rel, loc, "E005", f"{label}的单位为“{limit.unit}”，须填写大于 0 的天数（value）")


def check_time_limits(parts: CatalogParts) -> Iterator[Finding]:
    for f, item in _items(parts):
        legal, promised = item.legal_time_limit, item.promised_time_limit
        if legal:
            yield from _limit_shape(f, ("legal_time_limit",), legal, "法定办结时限")
        yield from _limit_shape(f, ("promised_time_limit",), promised, "承诺办结时限")
        for n, step in enumerate(item.process):
            if step.duration:
                yield from _limit_shape(
                    f, ("process", n, "duration"), step.duration, f"办理流程第 {n + 1} 步的时限"
                )
        if legal and _exceeds(promised, legal):
            note = "（不同单位按 5 个工作日折合 7 个自然日比较）" if legal.unit != promised.unit else ""
            yield Finding(
                f.rel,
                ("promised_time_limit", "value") if promised.value else ("promised_time_limit",),
                "E102",
                f"承诺时限（{promised.as_text()}）不能超过法定时限（{legal.as_text()}）{note}",
            )
        if item.case_type == "1" and promised.unit != "即办":
            yield Finding(
                f.rel,
                ("case_type",),
                "E115",
                f"办件类型为 1（即办件），承诺办结时限应为“即办”，实际为 {promised.as_text()}",
            )
        if item.case_type == "2" and promised.unit == "即办":
            yield Finding(
                f.rel,
                ("case_type",),
                "E115",
                "承诺办结时限为“即办”，办件类型应为 1（即办件），而不是 2（承诺件）",
            )
        durations = [s.duration for s in item.process if s.duration]
        if promised.unit == "工作日" and durations and all(d.unit in ("工作日", "即办") for d in durations):
            total = sum(d.value or 0 for d in durations)
            if promised.value and total > promised.value:
                yield Finding(
                    f.rel,
                    ("process",),
                    "E116",
                    f"办理流程各环节时限合计 {total} 个工作日，超过承诺办结时限 {promised.value} 个工作日",
                )


# --- status and versions ------------------------------------------------------------------------


def check_status(parts: CatalogParts) -> Iterator[Finding]:
    for f, item in _items(parts):
        s = item.status
        at = ("status",)
        if s.state == "取消":
            if not s.cancelled_on:
                yield Finding(f.rel, at, "E107", "状态为取消，须填写取消日期（cancelled_on）")
            if not s.replaced_by:
                yield Finding(
                    f.rel, at, "E107", "状态为取消，须填写替代事项（replaced_by），以便原页面引导群众办理"
                )
        else:
            for key, label in (("cancelled_on", "取消日期"), ("replaced_by", "替代事项")):
                if getattr(s, key):
                    yield Finding(
                        f.rel, (*at, key), "E107", f"状态为{s.state}，不应填写{label}（仅用于已取消的事项）"
                    )
        if s.state == "暂停":
            if not s.suspended_from:
                yield Finding(f.rel, at, "E107", "状态为暂停，须填写暂停开始日期（suspended_from）")
            if not s.reason:
                yield Finding(f.rel, at, "E107", "状态为暂停，须填写原因（reason），告诉群众为什么暂停")
        else:
            for key, label in (("suspended_from", "暂停开始日期"), ("suspended_until", "预计恢复日期")):
                if getattr(s, key):
                    yield Finding(
                        f.rel, (*at, key), "E107", f"状态为{s.state}，不应填写{label}（仅用于暂停的事项）"
                    )
        if s.state == "取消" and not s.reason:
            yield Finding(f.rel, at, "E107", "状态为取消，须填写原因（reason）")
        for key, label in (("suspended_from", "暂停开始日期"), ("cancelled_on", "取消日期")):
            value = getattr(s, key)
            if value and value < s.effective_date:
                yield Finding(
                    f.rel, (*at, key), "E109", f"{label}（{value}）早于生效日期（{s.effective_date}）"
                )
        if s.suspended_from and s.suspended_until and s.suspended_until < s.suspended_from:
            yield Finding(
                f.rel,
                (*at, "suspended_until"),
                "E109",
                f"预计恢复日期（{s.suspended_until}）早于暂停开始日期（{s.suspended_from}）",
            )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def check_versions(parts: CatalogParts) -> Iterator[Finding]:
    for f, item in _items(parts):
        changes = item.changes
        for n in range(1, len(changes)):
            before, after = changes[n - 1], changes[n]
            if after.date < before.date:
                yield Finding(
                    f.rel,
                    ("changes", n, "date"),
                    "E109",
                    f"变更记录应按日期从早到晚排列：第 {n + 1} 条（{after.date}）早于第 {n} 条（{before.date}）",
                )
            if _version_key(after.version) <= _version_key(before.version):
                yield Finding(
                    f.rel,
                    ("changes", n, "version"),
                    "E117",
                    f"变更记录的版本号应逐条递增：第 {n + 1} 条为 {after.version}，前一条为 {before.version}",
                )
        if changes and changes[-1].version != item.version:
            yield Finding(
                f.rel,
                ("version",),
                "E117",
                f"事项版本（{item.version}）应与最新一条变更记录的版本号（{changes[-1].version}）一致",
            )


# --- directories and nature ------------------------------------------------------------------------

_DIRECTORY_NATURES = {"basic": "基础", "value-added": "个性化增值"}


def check_nature(parts: CatalogParts) -> Iterator[Finding]:
    nature_of: dict[str, tuple[str, str]] = {}
    for f, directory in parts.models("directory"):
        expected = _DIRECTORY_NATURES.get(f.stem)
        if expected and directory.nature != expected:
            yield Finding(
                f.rel, ("nature",), "E114", f"{f.rel} 是{expected}服务名录，服务性质应为“{expected}”"
            )
        for entry in directory.entries:
            nature_of[entry.id] = (directory.nature, directory.name)
    for f, item in _items(parts):
        found = nature_of.get(item.category)
        if found and found[0] != item.nature:
            yield Finding(
                f.rel,
                ("nature",),
                "E114",
                f"服务性质为“{item.nature}”，但事项类别「{item.category}」属于{found[1]}（服务性质“{found[0]}”）",
            )


# --- attachments ---------------------------------------------------------------------------------


def check_attachments(parts: CatalogParts) -> Iterator[Finding]:
    files = parts.root / FILES_DIR
    present = (
        {p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()}
        if files.is_dir()
        else set()
    )
    for f, item in _items(parts):
        wanted: list[tuple[tuple[str | int, ...], str]] = []
        for n, material in enumerate(item.materials):
            for key in ("blank_form", "sample_form"):
                if path := getattr(material, key):
                    wanted.append((("materials", n, key), path))
        if item.result and item.result.sample:
            wanted.append((("result", "sample"), item.result.sample))
        for loc, path in wanted:
            if path not in present:
                yield Finding(f.rel, loc, "E112", f"附件「{path}」不存在，应放在 catalog/{FILES_DIR}/{path}")


# --- fees ---------------------------------------------------------------------------------------


def check_fees(parts: CatalogParts) -> Iterator[Finding]:
    standards: dict[str, FeeStandard] = {}
    for f, standard in parts.models("fee-standard"):
        standards[f.stem] = standard
        for n, fee in enumerate(standard.fees):
            at = ("fees", n)
            if fee.amount is not None and fee.tiers:
                yield Finding(
                    f.rel,
                    (*at, "tiers"),
                    "E119",
                    f"收费项目「{fee.name}」既填写了金额又填写了分档金额，只能选其一",
                )
            elif fee.amount is None and not fee.tiers:
                yield Finding(
                    f.rel, at, "E119", f"收费项目「{fee.name}」须填写金额（amount）或分档金额（tiers）"
                )
            if fee.tiers and fee.online_amount is not None:
                yield Finding(f.rel, (*at, "online_amount"), "E119", "分档收费的项目不能填写网上申请金额")
            for k, tier in enumerate(fee.tiers):
                if tier.end is not None and tier.end < tier.start:
                    yield Finding(
                        f.rel,
                        (*at, "tiers", k, "end"),
                        "E119",
                        f"第 {k + 1} 档的截止（{tier.end}）小于起始（{tier.start}）",
                    )
                if k and (previous := fee.tiers[k - 1]).end is None:
                    yield Finding(
                        f.rel, (*at, "tiers", k - 1, "end"), "E119", "只有最后一档可以不填截止（不封顶）"
                    )
                elif k and tier.start <= (previous.end or 0):
                    yield Finding(
                        f.rel,
                        (*at, "tiers", k, "start"),
                        "E119",
                        f"第 {k + 1} 档从 {tier.start} 开始，与上一档（到 {previous.end} 为止）重叠；档次应从小到大、互不重叠",
                    )
    for f, item in _items(parts):
        charges = item.fees
        if charges.free and charges.items:
            yield Finding(f.rel, ("fees", "items"), "E119", "标记为免费（free: true），却列出了收费项目")
        if not charges.free and not charges.items:
            yield Finding(f.rel, ("fees",), "E119", "未标记为免费，须在 items 中列出收费项目")
        if charges.free and charges.reduction:
            yield Finding(f.rel, ("fees", "reduction"), "E119", "免费事项不应填写减缴政策")
        for n, fee_item in enumerate(charges.items):
            standard_id, _, fee_id = fee_item.fee.partition("/")
            fee = standards[standard_id].fee(fee_id) if standard_id in standards else None
            if fee is None:
                continue  # reported by check_references
            at = ("fees", "items", n)
            if fee.tiers and fee_item.tier_at is None:
                yield Finding(
                    f.rel, at, "E119", f"「{fee.name}」分档收费，须填写分档取值（tier_at），如第几年"
                )
            elif fee.tiers and not any(
                t.start <= fee_item.tier_at <= (t.end or fee_item.tier_at)
                for t in fee.tiers  # type: ignore[operator]
            ):
                yield Finding(
                    f.rel,
                    (*at, "tier_at"),
                    "E119",
                    f"分档取值 {fee_item.tier_at} 不在「{fee.name}」的任何一档中",
                )
            elif not fee.tiers and fee_item.tier_at is not None:
                yield Finding(
                    f.rel, (*at, "tier_at"), "E119", f"「{fee.name}」不是分档收费，不应填写分档取值"
                )
            if fee_item.online and fee.online_amount is None:
                yield Finding(
                    f.rel, (*at, "online"), "E119", f"「{fee.name}」没有网上申请金额，不能按网上申请计费"
                )


# --- forms and materials ----------------------------------------------------------------------------


def check_forms(parts: CatalogParts) -> Iterator[Finding]:
    for f, item in _items(parts):
        for n, material in enumerate(item.materials):
            if not material.required and not material.condition:
                yield Finding(
                    f.rel,
                    ("materials", n),
                    "E120",
                    f"材料「{material.name}」不是必备材料，须填写提交情形（condition）",
                )
            if material.required and material.condition:
                yield Finding(
                    f.rel,
                    ("materials", n, "condition"),
                    "E120",
                    f"材料「{material.name}」是必备材料，不应填写提交情形",
                )
            if material.originals == 0 and material.copies == 0 and material.form != "电子":
                yield Finding(
                    f.rel,
                    ("materials", n),
                    "E120",
                    f"材料「{material.name}」含纸质或实物形式，原件和复印件份数不能都为 0",
                )
            if material.online_exempt and not item.online_application:
                yield Finding(
                    f.rel,
                    ("materials", n, "online_exempt"),
                    "E120",
                    f"材料「{material.name}」标记为网上申请免交，但事项未开通网上申请",
                )
        material_ids = {m.id for m in item.materials}
        for n, form_field in enumerate(item.application_fields):
            at = ("application_fields", n)
            if form_field.id in RESERVED_FORM_FIELDS:
                yield Finding(
                    f.rel,
                    (*at, "id"),
                    "E120",
                    f"字段标识「{form_field.id}」是申请人信息的保留字段，请换一个名称",
                )
            elif form_field.id in material_ids:
                yield Finding(
                    f.rel,
                    (*at, "id"),
                    "E101",
                    f"字段标识「{form_field.id}」与材料标识重复，上传字段会与之冲突",
                )
            choosing = form_field.type in ("select", "checkboxes")
            if choosing and not form_field.options:
                yield Finding(f.rel, at, "E120", f"选择字段「{form_field.label}」须列出可选项（options）")
            if not choosing and form_field.options:
                yield Finding(
                    f.rel, (*at, "options"), "E120", f"字段「{form_field.label}」不是选择字段，不应填写可选项"
                )
            if form_field.pattern:
                try:
                    re.compile(form_field.pattern)
                except re.error as exc:
                    yield Finding(
                        f.rel,
                        (*at, "pattern"),
                        "E006",
                        f"格式「{form_field.pattern}」不是有效的正则表达式：{exc.msg}",
                    )
        if item.online_application and "2" not in item.handling_forms:
            yield Finding(
                f.rel, ("handling_forms",), "E120", "接受网上申请的事项，办理形式应包含 2（电脑端网上办理）"
            )
        if not item.places and not item.online_application and not item.online_url:
            yield Finding(
                f.rel, ("places",), "E120", "未开通网上办理的事项，须至少填写一个办理地点（places）"
            )
        if not item.online_application and item.application_fields:
            yield Finding(
                f.rel,
                ("application_fields",),
                "E120",
                "未开通网上申请（online_application: false），不应设置申请表字段",
            )


# --- data assets ------------------------------------------------------------------------------------


def check_data_assets(parts: CatalogParts) -> Iterator[Finding]:
    for f, model in parts.models("data-assets"):
        for n, asset in enumerate(model.assets):
            if asset.personal_information and asset.access == "无条件开放":
                yield Finding(
                    f.rel,
                    ("assets", n, "access"),
                    "E121",
                    f"数据资产「{asset.name}」含个人信息，不能无条件开放；请改为有条件开放或不予开放",
                )


# --- published evaluation results ----------------------------------------------------------------


def _figure_lists(model: ResultsFile) -> Iterator[tuple[tuple[str | int, ...], list[Figure]]]:
    """Every list of figures in ``results.yml`` with its location: overall, then per item."""
    yield ("figures",), list(model.figures)
    for n, entry in enumerate(model.items):
        yield ("items", n, "figures"), list(entry.figures)


def check_results(parts: CatalogParts) -> Iterator[Finding]:
    """The period is in order; each figure names a public indicator of ``indicators.yml``
    (per item: one marked ``per_item``) and has the counts its formula needs."""
    indicators = {i.id: i for _, model in parts.models("indicators") for i in model.indicators}
    for f, model in parts.models("results"):
        if model.end < model.start:
            yield Finding(
                f.rel, ("end",), "E109", f"统计期结束日期（{model.end}）早于开始日期（{model.start}）"
            )
        if model.as_of < model.start:
            yield Finding(
                f.rel, ("as_of",), "E109", f"数据截止日期（{model.as_of}）早于统计期开始日期（{model.start}）"
            )
        for loc, figures in _figure_lists(model):
            for n, figure in enumerate(figures):
                for key, message in _figure_problems(figure, indicators, per_item=loc[0] == "items"):
                    yield Finding(f.rel, (*loc, n, key), "E124", message)


def _figure_problems(
    figure: Figure, indicators: dict[str, Indicator], *, per_item: bool
) -> Iterator[tuple[str, str]]:
    indicator = indicators.get(figure.indicator)
    what = f"指标「{figure.indicator}」"
    if indicator is None:
        yield "indicator", f"{what}不在 indicators.yml 中" + suggest(figure.indicator, indicators)
        return
    what = f"指标「{indicator.name}」"
    if not indicator.public:
        yield "indicator", f"{what}不公开（public 不是 true），不能公示"
    elif per_item and not indicator.per_item:
        yield "indicator", f"{what}不按事项公示（per_item 不是 true），不能列在事项下"
    form = indicator.formula.form
    if form == COUNT and figure.denominator is not None:
        yield "denominator", f"{what}是计数，不应填写分母"
    elif form != COUNT and figure.denominator is None:
        yield "denominator", f"{what}须填写分母（统计期内没有数据时填 0）"
    elif form == RATIO and figure.denominator is not None and figure.numerator > figure.denominator:
        yield "numerator", f"{what}的分子（{figure.numerator}）大于分母（{figure.denominator}）"


RULES: tuple[Rule, ...] = (
    check_file_names,
    check_unique_ids,
    check_codes,
    check_references,
    check_replacements,
    check_reduction_scope,
    check_home_page,
    check_time_limits,
    check_status,
    check_versions,
    check_nature,
    check_attachments,
    check_fees,
    check_forms,
    check_data_assets,
    check_faq,
    check_indicators,
    check_results,
    check_guides,
    check_points,
    check_events,
)


def run_rules(parts: CatalogParts) -> Iterator[Finding]:
    for rule in RULES:
        yield from rule(parts)
