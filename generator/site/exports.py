"""Open data (8.2.7 b): the catalog, the lists and the fee standards as files in ``site/data/``.

- ``catalog.json``: every item, cancelled ones included, with all its fields, its slug and
  its page URL; ``catalog.schema.json`` beside it is generated from the schema models.
- ``annex-a.csv``/``.xlsx`` and ``annex-b.csv``/``.xlsx``: the service item list and the
  implementation list (annex A and B columns of :mod:`generator.site.columns`).
- ``fees.json`` and ``fees.csv``: the fee standards, their fees and reductions.
- ``list-index.json``: what the list pages' filters load.

The output is deterministic: dates come from the catalog (``Site.updated``), never from the
clock, so the same catalog always gives byte-identical files. The files are made once per
build (:func:`exports`): the downloads page shows their sizes, ``on_post_build`` writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import weakref
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from generator.schema import Fee, FeeStandard, Item
from generator.schema.base import CatalogModel, field
from generator.schema.platform import OpenDataLicence
from generator.schema.types import Slug, Text, Url
from generator.schema_export import JSON_SCHEMA_DIALECT

from . import urls
from .columns import ANNEX_A, ANNEX_B, Column
from .pages.lists import list_index
from .site import Site

CATALOG = "catalog.json"
CATALOG_SCHEMA = "catalog.schema.json"
LIST_INDEX = "list-index.json"
CHECKSUMS = "SHA256SUMS"
"""The SHA-256 of every file of ``data/``, one ``<hex>  <name>`` line each (``sha256sum -c``
reads it). The service signs it with the platform's key (``/api/opendata/SHA256SUMS.sig``)."""

ANNEXES: tuple[tuple[str, str, str, tuple[Column, ...]], ...] = (
    ("annex-a", "服务事项清单", "A", ANNEX_A),
    ("annex-b", "服务事项实施清单", "B", ANNEX_B),
)
"""File stem, list name (also the XLSX sheet name), annex of T/CIPS 007—2024, columns."""


@dataclass(frozen=True)
class Export:
    """One file of ``data/``."""

    name: str
    title: str
    description: str
    format: str
    data: bytes = b""

    @property
    def url(self) -> str:
        return urls.DATA_DIR + self.name

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# --- the catalog file and its schema --------------------------------------------------------------


class ExportedItem(Item):
    """An item as ``catalog.json`` holds it: the catalog fields plus where it is published."""

    slug: Slug = field(
        "事项标识", "事项文件名（不含 .yml），也是事项页面网址的一部分。", example="patent-pledge"
    )
    url: Text = field("页面地址", "办事指南页面相对于网站根目录的地址。", example="items/patent-pledge/")


class CatalogExport(CatalogModel):
    """The whole of ``catalog.json``."""

    schema_ref: Text = field(
        "数据结构文件", "描述本文件结构的 JSON Schema 文件名。", example=CATALOG_SCHEMA, alias="$schema"
    )
    title: Text = field("数据集名称", "本数据集的名称。")
    platform: Text = field("平台名称", "发布本数据的平台。")
    website: Url = field("平台网址", "平台网站首页；事项的页面地址相对于它。")
    updated: dt.date = field(
        "更新日期", "目录最近一次变更的日期（事项变更记录和收费标准核对日期中最新的一个）。"
    )
    licence: OpenDataLicence | None = field("许可协议", "数据的使用许可；为空时使用前请联系平台。")
    item_count: int = field("事项数", "items 中的事项数，含已取消的事项。", ge=0)
    items: list[ExportedItem] = field("服务事项", "全部服务事项，按事项标识排序，含已取消的事项。")


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema of ``catalog.json``, generated from :class:`generator.schema.Item`."""
    schema = CatalogExport.model_json_schema(by_alias=True)
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": "知识产权公共服务事项目录（开放数据）"}


def _plain(value: Any) -> Any:
    """JSON for what ``model_dump()`` leaves: amounts as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _json(data: Any, *, compact: bool = False) -> bytes:
    if compact:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1, default=_plain)
    return (text + "\n").encode("utf-8")


def _metadata(site: Site, title: str, schema: str | None = None) -> dict[str, Any]:
    platform = site.platform
    licence = platform.open_data_licence
    found: dict[str, Any] = {"$schema": schema} if schema else {}
    found.update(
        title=title,
        platform=platform.name,
        website=platform.website,
        updated=site.updated,
        licence=licence.model_dump() if licence else None,
    )
    return found


def catalog_json(site: Site) -> bytes:
    """``catalog.json``: the metadata indented, then one item per line.

    Items are serialised by pydantic straight to JSON (several times faster than dumping to
    Python first: 10,000 items take about a second); items hold no amounts, only text,
    numbers, booleans and dates, which this gives exactly as :func:`_plain` would.
    """
    items = sorted(site.catalog.items.items())
    head = {
        **_metadata(site, f"{site.platform.name}服务事项目录", CATALOG_SCHEMA),
        "item_count": len(items),
        "items": [],
    }
    text = json.dumps(head, ensure_ascii=False, indent=1, default=_plain)
    assert text.endswith('"items": []\n}')
    lines = [
        '{"slug":'
        + json.dumps(slug, ensure_ascii=False)
        + ',"url":'
        + json.dumps(urls.item(slug))
        + ","
        + item.model_dump_json()[1:]
        for slug, item in items
    ]
    body = "[\n" + ",\n".join(lines) + "\n ]\n}\n" if lines else "[]\n}\n"
    return (text[: -len("[]\n}")] + body).encode("utf-8")


# --- fee standards -------------------------------------------------------------------------------


def fees_data(site: Site) -> dict[str, Any]:
    return {
        **_metadata(site, f"{site.platform.name}收费标准"),
        "standards": [
            {"id": standard_id, "url": urls.fee_standard(standard_id), **standard.model_dump()}
            for standard_id, standard in sorted(site.catalog.fee_standards.items())
        ],
    }


def _amount(value: Decimal | None) -> str:
    return "" if value is None else str(_plain(value))


def tiers_text(fee: Fee) -> str:
    """Tiers as ``1-3:900;4-6:1200;7-:2000`` (an open last tier has no end)."""
    return ";".join(f"{t.start}-{'' if t.end is None else t.end}:{_amount(t.amount)}" for t in fee.tiers)


def _reductions(standard: FeeStandard, fee: Fee) -> str:
    return "；".join(
        f"{r.name}（减缴 {r.percent_off}%）" for r in standard.reductions if fee.id in r.applies_to
    )


def _label(model: type[CatalogModel], name: str) -> str:
    title = model.model_fields[name].title
    assert title is not None
    return title


FEE_COLUMNS: tuple[str, ...] = (
    "收费标准标识",
    _label(FeeStandard, "name"),
    _label(FeeStandard, "issuer"),
    _label(FeeStandard, "effective_date"),
    _label(FeeStandard, "verified_on"),
    _label(Fee, "id"),
    _label(Fee, "name"),
    _label(Fee, "amount"),
    _label(Fee, "online_amount"),
    _label(Fee, "unit"),
    _label(Fee, "tiers"),
    _label(Fee, "conditions"),
    _label(Fee, "note"),
    _label(Fee, "late_fee"),
    "可申请的减缴",
)
"""The header of ``fees.csv``: the schema's labels, one row per fee."""


def fee_rows(site: Site) -> list[list[str]]:
    return [
        [
            standard_id,
            standard.name,
            standard.issuer,
            standard.effective_date.isoformat(),
            standard.verified_on.isoformat(),
            fee.id,
            fee.name,
            _amount(fee.amount),
            _amount(fee.online_amount),
            fee.unit,
            tiers_text(fee),
            fee.conditions or "",
            fee.note or "",
            fee.late_fee or "",
            _reductions(standard, fee),
        ]
        for standard_id, standard in sorted(site.catalog.fee_standards.items())
        for fee in standard.fees
    ]


# --- CSV and XLSX --------------------------------------------------------------------------------


def annex_rows(site: Site, columns: Sequence[Column]) -> list[list[str]]:
    return [[column.value(site, entry) for column in columns] for entry in site.listed]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark (Excel then reads Chinese right), RFC 4180 quoting."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MIN_WIDTH, MAX_WIDTH = 6, 60


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese characters (3 bytes in UTF-8) are two wide."""
    return (len(text.encode("utf-8")) + len(text)) // 2


def to_xlsx(
    sheet: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str,
    creator: str,
    date: dt.date,
    numeric: Iterable[int] = (),
) -> bytes:
    """One sheet: a bold, frozen header row with a filter, column widths fitted to the content.

    Cells are text, except the columns at the indexes in ``numeric`` (序号), which sort as numbers.
    Written with XlsxWriter, which applies a cell format by reference: openpyxl copies a
    style object per cell, five times slower on a 10,000-row list.
    """
    numbers = set(numeric)
    stamp = dt.datetime.combine(date, dt.time())
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": title, "author": creator, "created": stamp})
    worksheet = workbook.add_worksheet(sheet)
    head = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    body = workbook.add_format({"text_wrap": True, "valign": "top"})
    widths = [_display_width(h) for h in header]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _display_width(value))
    for i, width in enumerate(widths):
        worksheet.set_column(i, i, max(MIN_WIDTH, min(MAX_WIDTH, width + 2)))
    for i, label in enumerate(header):
        worksheet.write_string(0, i, label, head)
    for r, row in enumerate(rows, start=1):
        for i, value in enumerate(row):
            if i in numbers:
                worksheet.write_number(r, i, int(value), body)
            else:  # text stays text, even when it starts with "="
                worksheet.write_string(r, i, _ILLEGAL.sub("", value), body)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, len(rows), len(header) - 1)
    workbook.close()
    return _stable_zip(buffer.getvalue(), stamp)


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _stable_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with fixed entry times and document dates, so that builds are reproducible."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + iso + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


# --- all files -----------------------------------------------------------------------------------

_made: weakref.WeakKeyDictionary[Site, list[Export]] = weakref.WeakKeyDictionary()


def exports(site: Site) -> list[Export]:
    """Every file of ``data/`` with its content, made once per site."""
    if site not in _made:
        _made[site] = list(_make(site))
    return _made[site]


def _make(site: Site) -> Iterable[Export]:
    name, updated = site.platform.name, site.updated
    yield Export(
        CATALOG,
        "服务事项目录",
        "全部服务事项（含已暂停、已取消的事项）的全部字段，以及事项标识和页面地址。",
        "JSON",
        catalog_json(site),
    )
    yield Export(
        CATALOG_SCHEMA,
        "服务事项目录的数据结构",
        "catalog.json 的 JSON Schema（2020-12），每个字段带中文名称和说明，由目录的数据模型生成。",
        "JSON Schema",
        _json(catalog_schema()),
    )
    for stem, title, annex, columns in ANNEXES:
        header = [column.label for column in columns]
        rows = annex_rows(site, columns)
        description = f"{title}（T/CIPS 007—2024 附录 {annex}），列的顺序与标准一致，不含已取消的事项。"
        yield Export(f"{stem}.csv", title, description, "CSV", to_csv(header, rows))
        yield Export(
            f"{stem}.xlsx",
            title,
            description,
            "XLSX",
            to_xlsx(
                title,
                header,
                rows,
                title=f"{name}{title}",
                creator=name,
                date=updated,
                numeric=[i for i, column in enumerate(columns) if column.key == "number"],
            ),
        )
    yield Export(
        "fees.json",
        "收费标准",
        "各收费标准的依据、生效和核对日期、全部收费项目（金额、分档、计费单位、适用条件）和减缴政策。",
        "JSON",
        _json(fees_data(site)),
    )
    yield Export(
        "fees.csv",
        "收费项目",
        "每个收费项目一行，含所属收费标准、金额、分档金额和可申请的减缴。",
        "CSV",
        to_csv(FEE_COLUMNS, fee_rows(site)),
    )
    yield Export(
        LIST_INDEX,
        "清单筛选索引",
        "清单页面按客体、对象、性质、部门筛选时加载的索引：每个在用或暂停事项的分类和附录 A、B 各列的值。",
        "JSON",
        _json(list_index(site), compact=True),
    )


def checksums(files: Iterable[Export]) -> bytes:
    """The :data:`CHECKSUMS` list of ``files``, sorted by name."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name)).encode("ascii")


def write_all(site: Site, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for export in exports(site):
        path = out / export.name
        path.write_bytes(export.data)
        written.append(path)
    (out / CHECKSUMS).write_bytes(checksums(exports(site)))
    written.append(out / CHECKSUMS)
    _made.pop(site, None)  # written: no need to hold the bytes any longer
    return written
