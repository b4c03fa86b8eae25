"""Information the platform publishes about itself: the data asset directory (8.2.5), the
standards it follows and helps write (8.3), and the catalog's change log (8.2.2).

The change log grows with the catalog, so it is split into pages of ``PER_PAGE`` records.
The data asset directory and the standards are short lists kept by hand: one page each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.schema import DataAsset
from generator.schema.tables import ACCESS_LEVELS, ASSET_TYPES, DATA_LEVELS, STANDARD_KINDS, SUBJECTS, Table

from .. import urls
from ..page import Section, SitePage, paginate
from ..site import Site

PER_PAGE = 100

DATA_ASSET_SECTIONS = [
    Section("overview", "资产一览"),
    Section("by-category", "分类查询"),
    Section("assets", "资产详情"),
    Section("access", "开放属性说明"),
]

STANDARD_SECTIONS = [
    Section("followed", "执行的标准"),
    Section("authored", "参与制修订的标准"),
]


def pages(site: Site) -> Iterator[SitePage]:
    yield SitePage(
        url=urls.DATA_ASSETS,
        title="数据资产目录",
        description=(
            f"{site.platform.short_name}数据资产目录（T/CIPS 007—2024 8.2.5）：每项数据资产的名称、类型、归属部门、"
            "数据主题、数据分级、更新频率、开放属性和数据知识产权登记情况，可按主题、类型和开放属性分类查询。"
        ),
        template="data-assets.html",
        context=lambda: data_assets_context(site),
        sections=DATA_ASSET_SECTIONS,
        in_nav=True,
    )
    yield SitePage(
        url=urls.STANDARDS,
        title="标准体系",
        description=(
            f"{site.platform.short_name}知识产权标准化服务体系（T/CIPS 007—2024 8.3）：平台建设和服务执行的标准、"
            "各标准在平台上的应用，以及平台牵头或参与制修订的标准。"
        ),
        template="standards.html",
        context=lambda: standards_context(site),
        sections=STANDARD_SECTIONS,
        in_nav=True,
    )
    yield from change_pages(site)


# --- data asset directory (8.2.5) ---------------------------------------------------------


def data_assets_context(site: Site) -> dict[str, Any]:
    assets = site.catalog.assets
    return {
        "assets": [_asset(site, asset) for asset in assets],
        "dimensions": [
            _dimension("subject", "按数据主题", SUBJECTS, assets, lambda a: a.subjects),
            _dimension("type", "按资产类型", ASSET_TYPES, assets, lambda a: [a.type]),
            _dimension("access", "按开放属性", ACCESS_LEVELS, assets, lambda a: [a.access]),
            _dimension("level", "按数据分级", DATA_LEVELS, assets, lambda a: [a.level]),
            _owners(site, assets),
        ],
        "access_levels": [(code, ACCESS_LEVELS.entries[code]) for code in ACCESS_LEVELS.entries],
        "data_levels": [(code, DATA_LEVELS.entries[code]) for code in DATA_LEVELS.entries],
        "registered_count": sum(1 for a in assets if a.data_ip_registration),
        "latest_registration": max(a.registered_on for a in assets),
    }


def _asset(site: Site, asset: DataAsset) -> dict[str, Any]:
    owner = site.department(asset.owner)
    return {
        "asset": asset,
        "anchor": asset_anchor(asset.id),
        "owner": owner.name,
        "owner_short": owner.short_name or owner.name,
    }


def asset_anchor(asset_id: str) -> str:
    return f"asset-{asset_id}"


def _dimension(
    key: str, title: str, table: Table, assets: list[DataAsset], values: Callable[[DataAsset], list[str]]
) -> dict[str, Any]:
    """One way of classifying the assets: each value of ``table`` that some asset has."""
    groups = [(code, table.entries[code], [a for a in assets if code in values(a)]) for code in table.entries]
    return {
        "key": key,
        "title": title,
        "groups": [
            {"anchor": f"{key}-{n}", "name": code, "meaning": meaning, "assets": found}
            for n, (code, meaning, found) in enumerate(groups, start=1)
            if found
        ],
    }


def _owners(site: Site, assets: list[DataAsset]) -> dict[str, Any]:
    owners = list(dict.fromkeys(a.owner for a in assets))
    return {
        "key": "owner",
        "title": "按归属部门",
        "groups": [
            {
                "anchor": f"owner-{dept_id}",
                "name": site.department(dept_id).short_name or site.department(dept_id).name,
                "meaning": "",
                "assets": [a for a in assets if a.owner == dept_id],
            }
            for dept_id in owners
        ],
    }


# --- standards (8.3) -----------------------------------------------------------------------


def standards_context(site: Site) -> dict[str, Any]:
    standards = site.catalog.standards
    kinds = [(kind, sum(1 for s in standards.followed if s.kind == kind)) for kind in STANDARD_KINDS.entries]
    return {
        "followed": standards.followed,
        "authored": standards.authored,
        "followed_by_kind": [(kind, count) for kind, count in kinds if count],
        "leading": sum(1 for s in standards.authored if s.role == "牵头起草"),
    }


# --- change log (8.2.2) ----------------------------------------------------------------------


def change_pages(site: Site) -> Iterator[SitePage]:
    records = list(site.changes())
    chunks = paginate(records, PER_PAGE)
    items_changed = len({slug for _, slug, _, _, _ in records})
    title = "目录变更记录"
    for number, chunk in enumerate(chunks, start=1):
        yield SitePage(
            url=urls.paged(urls.CHANGES, number),
            title=title if number == 1 else f"{title}（第 {number} 页）",
            description=(
                f"{site.platform.short_name}服务事项的变更记录（T/CIPS 007—2024 8.2.2）：每个事项改了什么、何时改、"
                "改后的版本号，按日期从新到旧排列。"
            ),
            template="changes.html",
            context=lambda chunk=chunk, number=number: {
                "title": title,
                "records": chunk,
                "page_number": number,
                "pages_total": len(chunks),
                "first": (number - 1) * PER_PAGE + 1,
                "total": len(records),
                "items_changed": items_changed,
            },
            in_nav=number == 1,
            searchable=False,
        )
