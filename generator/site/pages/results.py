"""服务评价结果 (T/CIPS 007—2024 9.3 d): the page that publishes ``catalog/results.yml``.

The figures of the last exported period, overall and per item, and the improvement measures
staff marked public; each guide page shows its item's figures for the indicators marked
``guide`` (:func:`guide_figures`). The file is written by ``ipps results export`` and
published through a pull request; without it the page says that nothing is published yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from generator.schema import Department, Figure, Indicator, Item, PublishedMeasure, ResultsFile
from generator.schema.indicators import one_place, value_of
from generator.schema.tables import MEASURE_DONE, MEASURE_SOURCES

from .. import urls
from ..page import Section, SitePage
from ..site import Site

TITLE = "服务评价结果"
NO_DATA = "暂无数据"


@dataclass(frozen=True)
class Shown:
    """One figure as a visitor reads it."""

    indicator: Indicator
    figure: Figure

    @property
    def value(self) -> float | None:
        return value_of(self.indicator.formula.form, self.figure.numerator, self.figure.denominator)

    @property
    def text(self) -> str:
        """``97.5%``, ``3.2 个工作日``, ``12 件``; 暂无数据 without any."""
        value = self.value
        if value is None:
            return NO_DATA
        unit = self.indicator.unit
        if unit == "百分比":
            return f"{one_place(value)}%"
        return f"{one_place(value)} 个{unit}" if unit != "件" else f"{int(value)} 件"

    @property
    def basis(self) -> str:
        """What the value comes from: ``40 件中 39 件`` for a ratio, the count for an average."""
        numerator, denominator = self.figure.numerator, self.figure.denominator
        if denominator is None or self.value is None:
            return ""
        if self.indicator.unit == "百分比":
            return f"{denominator} 件中 {numerator} 件"
        return f"共 {denominator} 件"

    @property
    def met(self) -> bool | None:
        return self.indicator.met_by(self.value)


@dataclass(frozen=True)
class ItemRow:
    slug: str
    item: Item
    figures: list[Shown | None]
    """In the order of the per-item indicators; None where the item has no such figure."""


@dataclass(frozen=True)
class MeasureRow:
    measure: PublishedMeasure
    owner: Department | None
    item: tuple[str, Item] | None

    @property
    def source(self) -> str:
        return MEASURE_SOURCES.label(self.measure.source)


class Published:
    """``results.yml`` joined with the indicators and items it names."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.file: ResultsFile | None = site.catalog.results
        self.indicators = {indicator.id: indicator for indicator in site.catalog.indicators}

    def shown(self, figures: Sequence[Figure]) -> list[Shown]:
        return [Shown(self.indicators[f.indicator], f) for f in figures if f.indicator in self.indicators]

    @property
    def overall(self) -> list[Shown]:
        return self.shown(self.file.figures) if self.file else []

    @property
    def per_item_indicators(self) -> list[Indicator]:
        return [i for i in self.site.catalog.indicators if i.public and i.per_item]

    def item_rows(self) -> list[ItemRow]:
        """Every listed item with figures, in the order of the published lists."""
        if self.file is None:
            return []
        by_slug = {entry.item: self.shown(entry.figures) for entry in self.file.items}
        rows = []
        for listed in self.site.listed:
            if listed.slug not in by_slug:
                continue
            found = {shown.indicator.id: shown for shown in by_slug[listed.slug]}
            rows.append(
                ItemRow(listed.slug, listed.item, [found.get(i.id) for i in self.per_item_indicators])
            )
        return rows

    def of_item(self, slug: str) -> list[Shown]:
        """The item's figures for the indicators shown on guide pages."""
        if self.file is None:
            return []
        entry = self.site.results_of.get(slug)
        shown = {s.indicator.id: s for s in self.shown(entry.figures)} if entry else {}
        return [
            shown.get(i.id) or Shown(i, Figure(indicator=i.id, numerator=0, denominator=0))
            for i in self.per_item_indicators
            if i.guide
        ]

    def measures(self) -> list[MeasureRow]:
        """Measures under way first (by due date), then the completed ones, latest first."""
        if self.file is None:
            return []
        departments, items = self.site.catalog.departments, self.site.catalog.items
        rows = [
            MeasureRow(
                m,
                departments.get(m.owner) if m.owner else None,
                (m.item, items[m.item]) if m.item in items else None,
            )
            for m in self.file.measures
        ]
        open_rows = sorted(
            (r for r in rows if r.measure.status != MEASURE_DONE), key=lambda r: r.measure.due_date
        )
        done = sorted(
            (r for r in rows if r.measure.status == MEASURE_DONE),
            key=lambda r: r.measure.updated,
            reverse=True,
        )
        return open_rows + done


def pages(site: Site) -> Iterator[SitePage]:
    published = Published(site)
    sections = [Section("overall", "总体情况")]
    if published.file and published.file.items:
        sections.append(Section("items", "各事项情况"))
    if published.file and published.file.measures:
        sections.append(Section("measures", "改进措施"))
    sections.append(Section("indicators", "指标说明"))
    yield SitePage(
        url=urls.RESULTS,
        title=TITLE,
        description=(
            f"{site.platform.short_name}服务评价结果公示：满意率、按时办结率等服务评价指标的总体和各事项情况，"
            "以及根据评价、投诉和回访采取的改进措施及其进展。"
        ),
        template="results.html",
        context=lambda: context(published),
        sections=sections,
        in_nav=True,
    )


def context(published: Published) -> dict[str, Any]:
    file = published.file
    return {
        "results": file,
        "overall": published.overall,
        "per_item": published.per_item_indicators,
        "rows": published.item_rows(),
        "measures": published.measures(),
        "public_indicators": [i for i in published.site.catalog.indicators if i.public],
        "unfinished": bool(file and file.as_of <= file.end),
        "target_text": target_text,
    }


def target_text(indicator: Indicator) -> str:
    """``不低于 95%``, ``不超过 5 个工作日``."""
    higher = indicator.direction == "higher"
    amount = one_place(indicator.target).removesuffix(".0")
    if indicator.unit == "百分比":
        return f"{'不低于' if higher else '不高于'} {amount}%"
    return f"{'不少于' if higher else '不超过'} {amount} {'' if indicator.unit == '件' else '个'}{indicator.unit}"


def guide_figures(site: Site, slug: str) -> list[Shown]:
    """What the guide page of ``slug`` shows of the published results (empty without any)."""
    return Published(site).of_item(slug)
