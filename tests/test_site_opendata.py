"""Open data (8.2.7 b): the files of ``site/data/`` parse and match the catalog, and the
downloads page lists every one of them with working links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest
from jsonschema import Draft202012Validator

from generator.catalog import Catalog
from generator.schema import Fee, Item
from generator.site import exports, urls
from generator.site.columns import ANNEX_A, ANNEX_B
from generator.site.pages.lists import list_index
from generator.site.site import Site
from tests.conftest import html_of

ANNEX_A_START = ["序号", "事项类别", "事项名称", "服务对象", "服务内容", "服务形式", "实施部门"]
ANNEX_B_START = ["序号", "事项名称", "实施部门", "流程条件", "办理方式", "进度要求", "材料要求", "监督评价"]
DATA_FILES = {
    "catalog.json",
    "catalog.schema.json",
    "annex-a.csv",
    "annex-a.xlsx",
    "annex-b.csv",
    "annex-b.xlsx",
    "fees.json",
    "fees.csv",
    "list-index.json",
    "SHA256SUMS",
}


@pytest.fixture(scope="module")
def data(built_site: Path) -> Path:
    return built_site / "data"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} should start with a UTF-8 byte order mark"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text, "RFC 4180 line ends"
    return list(csv.reader(io.StringIO(text, newline="")))


def _live(catalog: Catalog) -> dict[str, Item]:
    return {slug: item for slug, item in catalog.items.items() if item.status.state != "取消"}


# --- catalog.json and its schema -------------------------------------------------------------


def test_data_dir_holds_every_export(data: Path) -> None:
    assert {p.name for p in data.iterdir()} == DATA_FILES


def test_catalog_json_has_every_item_with_all_fields(
    data: Path, catalog: Catalog, site: Site, built_site: Path
) -> None:
    document = _json(data / "catalog.json")
    assert document["$schema"] == "catalog.schema.json"
    assert document["platform"] == catalog.platform.name
    assert document["updated"] == site.updated.isoformat()
    licence = catalog.platform.open_data_licence
    assert licence is not None
    assert document["licence"]["name"] == licence.name
    assert document["licence"]["url"] == licence.url
    assert document["item_count"] == len(catalog.items) == len(document["items"])

    by_slug = {entry["slug"]: entry for entry in document["items"]}
    assert set(by_slug) == set(catalog.items)
    assert any(item.status.state == "取消" for item in catalog.items.values()), (
        "the sample has a cancelled item"
    )
    for slug, item in catalog.items.items():
        entry = by_slug[slug]
        assert set(entry) == set(Item.model_fields) | {"slug", "url"}
        assert entry["name"] == item.name
        assert entry["basic_code"] == item.basic_code
        assert entry["implementation_code"] == item.implementation_code
        assert entry["status"]["state"] == item.status.state
        assert entry["version"] == item.version
        assert [m["name"] for m in entry["materials"]] == [m.name for m in item.materials]
        assert [c["date"] for c in entry["changes"]] == [c.date.isoformat() for c in item.changes]
        assert entry["url"] == urls.item(slug)
        assert (built_site / entry["url"] / "index.html").is_file()
    # Round trip: every exported item is a valid catalog item again.
    for entry in document["items"]:
        fields = {k: v for k, v in entry.items() if k not in ("slug", "url")}
        assert Item.model_validate(fields) == catalog.items[entry["slug"]]


def test_catalog_json_validates_against_its_schema(data: Path) -> None:
    schema = _json(data / "catalog.schema.json")
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    document = _json(data / "catalog.json")
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]

    # The schema has teeth: a missing required field, an unknown field or a bad code fails.
    broken = json.loads(json.dumps(document))
    del broken["items"][0]["name"]
    broken["items"][1]["colour"] = "red"
    broken["items"][2]["item_type"] = "99"
    assert len(list(validator.iter_errors(broken))) >= 3


def test_catalog_schema_is_derived_from_the_item_model(data: Path) -> None:
    schema = _json(data / "catalog.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    items = schema["properties"]["items"]["items"]
    exported = schema["$defs"][items["$ref"].rsplit("/", 1)[-1]]
    model = Item.model_json_schema()
    assert set(exported["properties"]) == set(model["properties"]) | {"slug", "url"}
    assert set(exported["required"]) == set(model["required"]) | {"slug", "url"}
    assert exported["additionalProperties"] is False
    for name, prop in model["properties"].items():
        assert exported["properties"][name]["title"] == prop["title"]
    assert set(model["$defs"]) <= set(schema["$defs"])


# --- annex A and B ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "columns", "start"),
    [("annex-a", ANNEX_A, ANNEX_A_START), ("annex-b", ANNEX_B, ANNEX_B_START)],
    ids=["A", "B"],
)
def test_annex_csv_and_xlsx_follow_the_standard(
    data: Path, catalog: Catalog, site: Site, stem: str, columns: tuple, start: list[str]
) -> None:
    live = _live(catalog)
    rows = _csv(data / f"{stem}.csv")
    header, body = rows[0], rows[1:]
    assert header[: len(start)] == start
    assert header == [column.label for column in columns]
    assert len(body) == len(live) == len(site.listed)
    assert all(len(row) == len(header) for row in body)
    assert [row[0] for row in body] == [str(n) for n in range(1, len(body) + 1)]

    name = header.index("事项名称")
    assert sorted(row[name] for row in body) == sorted(item.name for item in live.values())
    cancelled = {item.name for item in catalog.items.values() if item.status.state == "取消"}
    assert cancelled and not cancelled & {row[name] for row in body}
    by_name = {item.name: item for item in live.values()}
    department = header.index("实施部门")
    for row in body:
        item = by_name[row[name]]
        assert row[department].startswith(site.department(item.department).name)
    code_column, code_field = (
        ("基本编码", "basic_code") if stem == "annex-a" else ("实施编码", "implementation_code")
    )
    code = header.index(code_column)
    assert {row[code] for row in body} == {getattr(item, code_field) for item in live.values()}

    # The workbook holds the same table: one sheet named after the list, a bold frozen header.
    workbook = openpyxl.load_workbook(data / f"{stem}.xlsx")
    title = "服务事项清单" if stem == "annex-a" else "服务事项实施清单"
    assert workbook.sheetnames == [title]
    sheet = workbook[title]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values == rows
    assert isinstance(sheet["A2"].value, int)
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(len(header))]
    assert all(6 <= w <= 61 for w in widths)  # XlsxWriter stores widths with the cell padding added
    assert widths[name] > widths[0]


def test_list_index_is_the_list_pages_index(data: Path, site: Site) -> None:
    assert _json(data / "list-index.json") == json.loads(json.dumps(list_index(site), ensure_ascii=False))


# --- fees -----------------------------------------------------------------------------------------


def _tiers(fee: Fee) -> str:
    return ";".join(f"{t.start}-{t.end or ''}:{t.amount.normalize():f}" for t in fee.tiers)


def test_fees_json_matches_the_fee_standards(data: Path, catalog: Catalog, site: Site) -> None:
    document = _json(data / "fees.json")
    assert document["updated"] == site.updated.isoformat()
    standards = {s["id"]: s for s in document["standards"]}
    assert set(standards) == set(catalog.fee_standards)
    for standard_id, standard in catalog.fee_standards.items():
        exported = standards[standard_id]
        assert exported["name"] == standard.name
        assert exported["issuer"] == standard.issuer
        assert exported["effective_date"] == standard.effective_date.isoformat()
        assert exported["verified_on"] == standard.verified_on.isoformat()
        assert [f["id"] for f in exported["fees"]] == [f.id for f in standard.fees]
        for fee, out in zip(standard.fees, exported["fees"], strict=True):
            assert out["name"] == fee.name and out["unit"] == fee.unit
            assert (None if out["amount"] is None else Decimal(str(out["amount"]))) == fee.amount
            assert (
                None if out["online_amount"] is None else Decimal(str(out["online_amount"]))
            ) == fee.online_amount
            assert [(t["start"], t["end"], Decimal(str(t["amount"]))) for t in out["tiers"]] == [
                (t.start, t.end, t.amount) for t in fee.tiers
            ]
        assert [(r["id"], r["percent_off"], r["applies_to"]) for r in exported["reductions"]] == [
            (r.id, r.percent_off, r.applies_to) for r in standard.reductions
        ]
        assert exported["url"] == urls.fee_standard(standard_id)


def test_fees_csv_has_one_row_per_fee(data: Path, catalog: Catalog) -> None:
    rows = _csv(data / "fees.csv")
    header, body = rows[0], rows[1:]
    expected = [(sid, s, f) for sid, s in sorted(catalog.fee_standards.items()) for f in s.fees]
    assert len(body) == len(expected)
    col = {label: i for i, label in enumerate(header)}
    tiered = 0
    for row, (standard_id, standard, fee) in zip(body, expected, strict=True):
        assert row[col["收费标准标识"]] == standard_id
        assert row[col["收费标准名称"]] == standard.name
        assert row[col["收费单位"]] == standard.issuer
        assert row[col["生效日期"]] == standard.effective_date.isoformat()
        assert row[col["核对日期"]] == standard.verified_on.isoformat()
        assert row[col["收费项目标识"]] == fee.id
        assert row[col["收费项目名称"]] == fee.name
        assert row[col["计费单位"]] == fee.unit
        amount = row[col["金额（元）"]]
        assert (Decimal(amount) if amount else None) == fee.amount
        online = row[col["网上申请金额（元）"]]
        assert (Decimal(online) if online else None) == fee.online_amount
        assert row[col["分档金额"]] == _tiers(fee)
        assert row[col["适用条件"]] == (fee.conditions or "")
        tiered += bool(fee.tiers)
    assert tiered, "the sample has tiered fees"
    annual = next(row for row in body if row[col["收费项目标识"]] == "invention-annual")
    assert annual[col["分档金额"]].startswith("1-3:900;4-6:1200")


# --- reproducible output -----------------------------------------------------------------------------


def test_exports_are_reproducible(data: Path, site: Site) -> None:
    files = list(exports._make(site))
    made = {export.name: export.data for export in files} | {exports.CHECKSUMS: exports.checksums(files)}
    assert made == {path.name: path.read_bytes() for path in data.iterdir()}
    stamp = (*site.updated.timetuple()[:3], 0, 0, 0)
    for name in ("annex-a.xlsx", "annex-b.xlsx"):
        with zipfile.ZipFile(data / name) as archive:
            assert {info.date_time for info in archive.infolist()} == {stamp}
        workbook = openpyxl.load_workbook(data / name)
        assert workbook.properties.modified == dt.datetime.combine(site.updated, dt.time())
        assert workbook.properties.created == workbook.properties.modified


# --- the downloads page --------------------------------------------------------------------------------


def _target(built_site: Path, page_url: str, href: str) -> Path:
    path = unquote(urlsplit(href).path)
    target = (built_site / page_url / path).resolve()
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


def test_downloads_page_lists_every_file(built_site: Path, data: Path, site: Site) -> None:
    soup = html_of(built_site, urls.OPEN_DATA)
    assert soup.h1.get_text(strip=True) == "开放数据"
    table = soup.find("table", class_="ipps-opendata")
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == ["文件", "内容说明", "格式", "大小", "更新日期", "许可协议"]
    licence = site.platform.open_data_licence
    assert licence is not None
    linked = set()
    for row in table.tbody.find_all("tr"):
        link = row.th.a
        target = _target(built_site, urls.OPEN_DATA, link["href"])
        assert target.is_file(), link["href"]
        assert target.parent == data.resolve()
        assert link.get_text(strip=True) == target.name
        linked.add(target.name)
        cells = row.find_all("td")
        assert cells[0].get_text(strip=True)  # a description
        assert cells[1].get_text(strip=True) in {"JSON", "JSON Schema", "CSV", "XLSX"}
        assert int(cells[2]["data-bytes"]) == target.stat().st_size
        assert cells[2].get_text(strip=True).endswith(("KB", "MB", "字节"))
        assert cells[3].time["datetime"] == site.updated.isoformat()
        assert cells[4].a["href"] == licence.url
    assert linked == DATA_FILES - {"SHA256SUMS"}  # the checksum list has its own section


def test_downloads_page_explains_columns_licence_and_citation(built_site: Path, site: Site) -> None:
    soup = html_of(built_site, urls.OPEN_DATA)
    lists = soup.find(id="lists")
    tables = lists.find_all_next("table", limit=2)
    for table, columns in zip(tables, (ANNEX_A, ANNEX_B), strict=True):
        rows = table.tbody.find_all("tr")
        assert [r.th.get_text(strip=True) for r in rows] == [c.label for c in columns]
        for row, column in zip(rows, columns, strict=True):
            cells = [td.get_text(strip=True) for td in row.find_all("td")]
            assert cells[1], f"{column.label} has no explanation"
            assert cells[2] == ("标准规定的列" if column.standard else "本平台增加的列")
    section = soup.find(id="licence")
    text = " ".join(p.get_text(" ", strip=True) for p in section.find_all_next(["p", "blockquote"]))
    licence = site.platform.open_data_licence
    assert licence is not None and licence.name in text
    assert "[DS/OL]" in text and site.updated.isoformat() in text


def test_downloads_page_links_resolve(built_site: Path) -> None:
    soup = html_of(built_site, urls.OPEN_DATA)
    article = soup.find("article")
    hrefs = [a["href"] for a in article.find_all("a", href=True)]
    assert hrefs
    for href in hrefs:
        if href.startswith(("http:", "https:", "mailto:", "tel:", "#", "../api/")):
            continue  # the service's links: test_site_general checks that each names a route
        assert _target(built_site, urls.OPEN_DATA, href).is_file(), href
