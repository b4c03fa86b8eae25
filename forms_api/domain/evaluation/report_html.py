"""``report.html``: the evaluation report as one self-contained, printable page.

The page is rendered from ``templates/report.html`` (Jinja2, autoescaped): the styles are in
the page, the charts are inline SVG (:mod:`.charts`), and nothing is loaded from elsewhere
(no fonts, scripts or images), so the file can be mailed, archived and printed as it is.
The print styles lay it out on A4 with page numbers.
"""

from __future__ import annotations

import datetime as dt

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .charts import FONT_FAMILY, Bar, bar_chart
from .report import Report, cn_date

__all__ = ["charts", "render"]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("forms_api.domain.evaluation", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(cn_date=cn_date, iso=_iso)
    return env


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def charts(report: Report) -> dict[str, Markup]:
    """The report's charts as SVG, by name: ``indicators`` (every percentage indicator against
    its target, with the previous period) and ``satisfaction`` (满意率 per item, when the
    catalog has it and some item has ratings)."""
    found: dict[str, Markup] = {}
    rows = report.percent_indicators
    if rows:
        bars = [
            Bar(
                row.name,
                row.current.result.value,
                target=row.target,
                previous=row.previous.result.value if row.previous else None,
                met=row.current.met,
                note=row.current.counts,
            )
            for row in rows
        ]
        found["indicators"] = Markup(
            bar_chart(
                bars, title="百分比指标与目标值（本期与上期）", chart_id="chart-indicators", maximum=100
            )
        )
    index = report.satisfaction_index
    if index is not None and report.items:
        row = report.indicators[index]
        bars = [
            Bar(
                item.name,
                item.figures[index].result.value,
                target=row.target if row.is_percent else None,
                met=item.figures[index].met,
                note=item.figures[index].counts,
            )
            for item in report.items
        ]
        if any(bar.value is not None for bar in bars):
            found["satisfaction"] = Markup(
                bar_chart(
                    bars,
                    title=f"各事项{row.name}",
                    chart_id="chart-satisfaction",
                    maximum=100 if row.is_percent else None,
                    unit="%" if row.is_percent else "",
                )
            )
    return found


def render(report: Report) -> str:
    """The whole page."""
    template = _environment().get_template("report.html")
    return template.render(report=report, charts=charts(report), font_family=FONT_FAMILY)
