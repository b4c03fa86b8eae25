"""The public 服务评价结果 (T/CIPS 007—2024 9.3 d) as ``catalog/results.yml``.

The site stays static: ``ipps results export`` (:mod:`forms_api.cli.results`) takes the figures of one
period from the stored records and writes them, with the improvement measures staff marked
public, into the catalog, where an editor reads them and publishes them through a pull
request; ``ipps build`` then renders the 服务评价结果 page and the satisfaction line of each
guide page from that file (:mod:`generator.site.pages.results`). Nothing public is computed
from live data, and nothing goes public that a person has not read.

What is published:

- overall, every indicator of ``catalog/indicators.yml`` marked ``public``;
- per item, those also marked ``per_item``, for each catalog item the period has data for;
- every improvement measure marked public that concerns the period (planned, due or completed
  in it, or still under way at its end: as the report lists them), its text with any phone number, ID number or
  e-mail address blanked out (the console refuses them in a public measure; this is the
  second line).

A figure keeps its counts; the value follows from them (:func:`generator.schema.indicators.value_of`).
The file is written whole each time (it is generated; the header says so).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from forms_api.domain.faq import PERSONAL_PATTERNS, redact
from forms_api.storage.catalog_text import dump_yaml
from generator.catalog import Catalog
from generator.schema import FILE_KINDS
from generator.schema.results import MEASURE_NUMBER, ResultsFile
from generator.schema.tables import MEASURE_SOURCES, MEASURE_STATES
from generator.schema_export import modeline
from generator.validation.messages import translate

from .indicators import Result, compute, day_of, items_seen
from .report import measure_concerns

RESULTS_FILE = "results.yml"
RESULTS_KIND = next(kind for kind in FILE_KINDS if kind.name == "results")

HEADER = (
    "# 服务评价结果公示（T/CIPS 007—2024 9.3 d）：由 ipps results export 根据办件、评价和改进措施记录生成，\n"
    "# 请勿手工修改数字。发布前请核对：公开的改进措施中不应有个人信息，措施表述是否适合公开。\n"
    "# 网站的“服务评价结果”页面和各办事指南的满意率都取自本文件；重新导出会整体覆盖本文件。\n"
)

Record = Mapping[str, Any]


class ResultsError(Exception):
    """The results cannot be exported; the message (Chinese) says why."""


@dataclass(frozen=True)
class Exported:
    """What :func:`build` made: the file's data, and what it left out."""

    data: dict[str, Any]
    skipped_measures: tuple[str, ...] = ()
    """Public measures not published, each with why (their source or state is not one the
    catalog knows: the record is older or was changed by hand)."""
    redactions: int = 0
    """Places in public measures where personal data was blanked out."""


def build(
    catalog: Catalog, records: Mapping[str, Sequence[Record]], start: dt.date, end: dt.date, as_of: dt.date
) -> Exported:
    """The data of ``results.yml`` for the days ``start``–``end`` taken on ``as_of``."""
    public = [indicator for indicator in catalog.indicators if indicator.public]
    if not public:
        raise ResultsError("indicators.yml 中没有公开（public: true）的指标，没有可以公示的内容")
    per_item = [indicator for indicator in public if indicator.per_item]
    overall = compute(public, records, start, end, as_of=as_of)
    concerned = [m for m in records.get("measure", ()) if measure_concerns(m, start, end)]
    measures, skipped, redactions = _measures(catalog, concerned)
    data = {
        "start": start,
        "end": end,
        "as_of": as_of,
        "figures": [_figure(result) for result in overall],
        "items": _items(catalog, records, per_item, start, end, as_of) if per_item else [],
        "measures": measures,
    }
    return Exported(data, tuple(skipped), redactions)


def text_of(exported: Exported) -> str:
    """The file: the schema modeline, the header, the data; checked against the schema."""
    body = dump_yaml(exported.data)
    try:
        ResultsFile.model_validate(yaml.safe_load(body))
    except ValidationError as error:  # a bug here, not the editor's: say so plainly
        finding = translate(RESULTS_FILE, ResultsFile, error.errors()[0])
        raise ResultsError(f"生成的 {RESULTS_FILE} 未通过检查，未写入：{finding.message}") from None
    return f"{modeline(RESULTS_KIND, RESULTS_FILE)}\n{HEADER}{body}"


# --- figures ---------------------------------------------------------------------------------


def _figure(result: Result) -> dict[str, Any]:
    figure: dict[str, Any] = {"indicator": result.id, "numerator": result.numerator}
    if result.denominator is not None:
        figure["denominator"] = result.denominator
    return figure


def _has_data(result: Result) -> bool:
    return bool(result.denominator) if result.denominator is not None else bool(result.numerator)


def _items(
    catalog: Catalog,
    records: Mapping[str, Sequence[Record]],
    indicators: list[Any],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
) -> list[dict[str, Any]]:
    """The per-item figures of every catalog item with data in the period, in catalog order.
    Records name their item by its 实施编码 (and slug); an item no longer in the catalog is
    left out, as it has no page to show its figures on."""
    slugs = {item.implementation_code: slug for slug, item in catalog.items.items()}
    codes: dict[str, list[str]] = {}
    for seen in items_seen(records):
        slug = slugs.get(seen["code"]) or (seen.get("slug") if seen.get("slug") in catalog.items else None)
        if slug:
            codes.setdefault(slug, []).append(seen["code"])
    found = []
    for slug in catalog.items:
        if slug not in codes:
            continue
        results = _per_item(indicators, records, start, end, as_of, codes[slug])
        if any(_has_data(result) for result in results):
            found.append({"item": slug, "figures": [_figure(result) for result in results]})
    return found


def _per_item(
    indicators: list[Any],
    records: Mapping[str, Sequence[Record]],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    codes: list[str],
) -> list[Result]:
    """The item's results; an item whose code changed has records under each of its codes,
    and their counts are added up."""
    per_code = [compute(indicators, records, start, end, item_code=code, as_of=as_of) for code in codes]
    if len(per_code) == 1:
        return per_code[0]
    added = []
    for parts in zip(*per_code, strict=True):
        denominators = [part.denominator for part in parts]
        denominator = None if denominators[0] is None else sum(d or 0 for d in denominators)
        added.append(
            Result(parts[0].indicator, start, end, None, None, sum(p.numerator for p in parts), denominator)
        )
    return added


# --- measures --------------------------------------------------------------------------------


def _measures(catalog: Catalog, measures: Iterable[Record]) -> tuple[list[dict[str, Any]], list[str], int]:
    published, skipped, redactions = [], [], 0
    for record in sorted(measures, key=lambda r: str(r.get("measure_no", ""))):
        if not record.get("public"):
            continue
        number = str(record.get("measure_no", ""))
        if not re.fullmatch(MEASURE_NUMBER, number):
            skipped.append(f"{number or '（无编号）'}（编号格式不对）")
            continue
        source, status = record.get("source"), record.get("status")
        if source not in MEASURE_SOURCES or status not in MEASURE_STATES:
            skipped.append(f"{number}（来源「{source}」或进展「{status}」无法识别）")
            continue
        due = day_of(record.get("due_date"))
        if due is None:
            skipped.append(f"{number}（没有完成期限）")
            continue
        entry: dict[str, Any] = {"measure_no": number}
        for key in ("title", "problem"):
            text, blanked = redact(" ".join(str(record.get(key) or "").split()), "", "", PERSONAL_PATTERNS)
            redactions += blanked
            if text:
                entry[key] = text
        entry["source"] = source
        if record.get("owner") in catalog.departments:
            entry["owner"] = record["owner"]
        slug = (record.get("item") or {}).get("slug")
        if slug in catalog.items:
            entry["item"] = slug
        entry["due_date"] = due
        entry["status"] = status
        text, blanked = redact(str(record.get("effect") or "").strip(), "", "", PERSONAL_PATTERNS)
        redactions += blanked
        if text:
            entry["effect"] = text
        entry["updated"] = day_of(record.get("updated_at") or record.get("created_at")) or due
        if "title" not in entry:
            skipped.append(f"{number}（没有措施内容）")
            continue
        published.append(entry)
    return published, skipped, redactions
