"""Inline SVG bar charts for the evaluation report: pure text in, SVG text out.

Horizontal bars, so that long Chinese labels (indicator and item names) read on the left.
Each bar may carry the previous period's value as a thinner grey bar beneath it and a target
as a black tick across its row; a bar that misses its target is drawn in a second colour and
its value label says 未达标, so the chart also reads when printed in black and white.

Nothing is loaded from outside: the text uses the fonts installed on the reader's machine
(:data:`FONT_FAMILY`, Noto Sans CJK SC first, then the usual Chinese system fonts, then
``sans-serif``). Every text is escaped; the widths of labels are estimated (a CJK character
is one em, other characters about 0.6 em), as no font metrics are at hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

__all__ = ["FONT_FAMILY", "Bar", "bar_chart", "text_width"]

FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
)

MET_COLOUR = "#2f6db5"
MISSED_COLOUR = "#d4661f"
NEUTRAL_COLOUR = "#5b7fa6"
PREVIOUS_COLOUR = "#b8bec7"
TARGET_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d9dde3"
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#5f6670"

FONT_SIZE = 12
SMALL = 11
HALO = {"stroke": "#ffffff", "stroke_width": "3", "stroke_linejoin": "round", "paint_order": "stroke"}
"""A white outline under a label, so that a target tick or grid line behind it does not cross it out."""
LABEL_MAX = 230
"""Widest label column; longer labels wrap to a second line, then are cut with …"""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """None: no data (shown as 无数据, without a bar)."""
    target: float | None = None
    previous: float | None = None
    met: bool | None = None
    """Whether the target is met; None draws the bar in a neutral colour."""
    note: str = ""
    """Shown after the value, e.g. the counts ``3/6``."""


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` at ``size`` px."""
    return sum(size if _wide(ch) else size * 0.6 for ch in text)


def _wide(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x2E80 or 0x2190 <= code <= 0x21FF or 0x2460 <= code <= 0x27BF


def _wrap(text: str, size: float, width: float, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` px, the last cut with …"""
    result: list[str] = []
    rest = text
    while rest and len(result) < lines:
        if text_width(rest, size) <= width:
            result.append(rest)
            rest = ""
            break
        cut = 0
        while cut < len(rest) and text_width(rest[: cut + 1], size) <= width:
            cut += 1
        cut = max(cut, 1)
        result.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        last = result[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        result[-1] = last + "…"
    return result


def _number(value: float, unit: str) -> str:
    """One decimal place, rounded half up as the report's tables round (2.25 is 2.3)."""
    rounded = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded}{unit}"


def _ticks(maximum: float) -> list[float]:
    """Five or so round steps from 0 to ``maximum``."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(maximum / step - 1e-9)
    return [round(step * n, 6) for n in range(count + 1)]


def _text(
    x: float, y: float, content: str, *, size: int = FONT_SIZE, anchor: str = "start", **extra: str
) -> str:
    attributes = "".join(f" {name.replace('_', '-')}={quoteattr(value)}" for name, value in extra.items())
    anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{anchor_attr}{attributes}>{escape(content)}</text>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    chart_id: str,
    unit: str = "%",
    maximum: float | None = None,
    previous_label: str = "上期",
    current_label: str = "本期",
    target_label: str = "目标值",
    width: int = 680,
) -> str:
    """A horizontal bar chart as an ``<svg>`` element (text, to put into an HTML page as is).

    ``maximum`` is the end of the scale (100 for percentages); by default the largest value,
    previous value or target, rounded up to a step. ``chart_id`` makes the ids inside unique
    on the page.
    """
    with_previous = any(b.previous is not None for b in bars)
    with_target = any(b.target is not None for b in bars)
    values = [v for b in bars for v in (b.value, b.previous, b.target) if v is not None]
    ticks = _ticks(maximum if maximum is not None else max(values, default=1.0))
    top = ticks[-1]

    label_width = min(max((text_width(b.label, FONT_SIZE) for b in bars), default=40), LABEL_MAX)
    value_width = max((text_width(_value_label(b, unit), SMALL) for b in bars), default=40) + 8
    left = 8 + label_width + 12
    plot = max(width - left - value_width - 8, 120)
    row = 40 if with_previous else 30
    legend_h = 28
    first = legend_h + 8
    height = first + row * len(bars) + 30

    def x(value: float) -> float:
        return left + plot * max(0.0, min(value, top)) / top

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ipps-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT_FAMILY}" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(bars, unit, current_label, previous_label, target_label))}</desc>',
    ]

    # legend
    legend_x = left
    entries = [(MET_COLOUR, f"{current_label}（达标）"), (MISSED_COLOUR, f"{current_label}（未达标）")]
    if not with_target:
        entries = [(NEUTRAL_COLOUR, current_label)]
    if with_previous:
        entries.append((PREVIOUS_COLOUR, previous_label))
    for colour, name in entries:
        parts.append(f'<rect x="{legend_x:.1f}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(legend_x + 16, 18.5, name, size=SMALL))
        legend_x += 16 + text_width(name, SMALL) + 18
    if with_target:
        parts.append(
            f'<line x1="{legend_x + 5:.1f}" y1="6" x2="{legend_x + 5:.1f}" y2="22" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2.5"/>'
        )
        parts.append(_text(legend_x + 14, 18.5, target_label, size=SMALL))

    # grid and axis
    bottom = first + row * len(bars)
    for tick in ticks:
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{first - 4}" x2="{tx:.1f}" y2="{bottom + 4}" stroke="{GRID_COLOUR}" '
            f'stroke-width="1"/>'
        )
        parts.append(
            _text(tx, bottom + 20, f"{tick:g}{unit}", size=SMALL, anchor="middle", fill=MUTED_COLOUR)
        )

    parts.append(
        f'<line x1="{left:.1f}" y1="{first - 4}" x2="{left:.1f}" y2="{bottom + 4}" stroke="{MUTED_COLOUR}" '
        f'stroke-width="1"/>'
    )
    for index, bar in enumerate(bars):
        y0 = first + row * index
        bar_h = 14
        bar_y = y0 + (row - bar_h - (10 if with_previous else 0)) / 2
        lines = _wrap(bar.label, FONT_SIZE, label_width)
        centre = bar_y + bar_h / 2 + 4
        if len(lines) == 1:
            parts.append(_text(left - 10, centre, lines[0], anchor="end"))
        else:
            spans = "".join(
                f'<tspan x="{left - 10:.1f}" dy="{0 if n == 0 else 14}">{escape(line)}</tspan>'
                for n, line in enumerate(lines)
            )
            parts.append(
                f'<text x="{left - 10:.1f}" y="{centre - 7:.1f}" font-size="{FONT_SIZE}" '
                f'text-anchor="end">{spans}</text>'
            )
        # shapes first (bars, then the target tick over them), then the labels over the shapes
        labels: list[str] = []
        if bar.value is None:
            labels.append(_text(left + 4, centre, "无数据", size=SMALL, fill=MUTED_COLOUR))
        else:
            colour = NEUTRAL_COLOUR if bar.met is None else MET_COLOUR if bar.met else MISSED_COLOUR
            bar_w = max(x(bar.value) - left, 0.0)
            parts.append(
                f'<rect x="{left:.1f}" y="{bar_y:.1f}" width="{bar_w:.1f}" height="{bar_h}" fill="{colour}"/>'
            )
            labels.append(_text(left + bar_w + 5, centre, _value_label(bar, unit), size=SMALL, **HALO))
        if bar.previous is not None:
            py = bar_y + bar_h + 2
            pw = max(x(bar.previous) - left, 0.0)
            parts.append(
                f'<rect x="{left:.1f}" y="{py:.1f}" width="{pw:.1f}" height="7" fill="{PREVIOUS_COLOUR}"/>'
            )
            label = f"{previous_label} {_number(bar.previous, unit)}"
            labels.append(_text(left + pw + 5, py + 7, label, size=10, fill=MUTED_COLOUR, **HALO))
        if bar.target is not None:
            tx = x(bar.target)
            parts.append(
                f'<line x1="{tx:.1f}" y1="{bar_y - 4:.1f}" x2="{tx:.1f}" y2="{bar_y + bar_h + 4:.1f}" '
                f'stroke="{TARGET_COLOUR}" stroke-width="2.5"/>'
            )
        parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def _value_label(bar: Bar, unit: str) -> str:
    if bar.value is None:
        return "无数据"
    text = _number(bar.value, unit)
    if bar.note:
        text += f"（{bar.note}）"
    if bar.met is False:
        text += " 未达标"
    return text


def _description(bars: Sequence[Bar], unit: str, current: str, previous: str, target: str) -> str:
    """The chart's figures in one sentence, for screen readers."""
    parts = []
    for bar in bars:
        text = f"{bar.label}：{current}" + ("无数据" if bar.value is None else _number(bar.value, unit))
        if bar.target is not None:
            text += f"，{target}{_number(bar.target, unit)}"
        if bar.previous is not None:
            text += f"，{previous}{_number(bar.previous, unit)}"
        parts.append(text)
    return "；".join(parts) + "。"
