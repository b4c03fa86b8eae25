"""The data asset directory (8.2.5), the standards page (8.3) and the change log (8.2.2)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from generator.catalog import load_catalog
from generator.schema.tables import ACCESS_LEVELS, ASSET_TYPES, SUBJECTS
from generator.site import urls
from generator.site.pages.public import PER_PAGE
from generator.site.site import Site

from .conftest import SAMPLE_CATALOG, html_of


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(load_catalog(SAMPLE_CATALOG))


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def internal_links(site_dir: Path, url: str) -> list[tuple[str, str]]:
    """Every internal link of a page as (target page URL, fragment), checked to resolve."""
    page = html_of(site_dir, url)
    found = []
    for a in page.select("article a[href]"):
        href = a["href"]
        if href.startswith(("http:", "https:", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin("/" + url, href))
        target = unquote(parts.path).lstrip("/")
        path = site_dir / target
        if target == "" or target.endswith("/"):
            path = path / "index.html"
        assert path.is_file(), f"{url}: link {href!r} does not resolve ({path})"
        if parts.fragment:
            other = page if target == url else html_of(site_dir, target)
            assert other.find(id=parts.fragment), f"{url}: anchor {href!r} missing"
        found.append((target, parts.fragment))
    return found


# --- data asset directory ---------------------------------------------------------------------


def test_every_asset_is_registered_with_all_its_facts(built_site: Path, site: Site) -> None:
    page = html_of(built_site, urls.DATA_ASSETS)
    assets = site.catalog.assets
    overview = page.select("table.ipps-assets tbody tr")
    assert [row["data-asset"] for row in overview] == [a.id for a in assets]
    for row, asset in zip(overview, assets, strict=True):
        cells = [text(td) for td in row.find_all("td")]
        owner = site.department(asset.owner)
        assert cells == [
            asset.name,
            asset.type,
            "、".join(asset.subjects),
            asset.level,
            asset.access,
            asset.update_frequency,
            owner.short_name or owner.name,
        ]
        assert row.a["href"] == f"#asset-{asset.id}"

    sections = page.select("section.ipps-asset")
    assert [s["data-asset"] for s in sections] == [a.id for a in assets]
    for section, asset in zip(sections, assets, strict=True):
        assert section.h3["id"] == f"asset-{asset.id}"
        assert text(section.h3) == asset.name
        facts = {text(div.dt): text(div.dd) for div in section.select("dl.ipps-facts > div")}
        assert facts["资产标识"] == asset.id
        assert facts["资产类型"] == asset.type
        assert facts["归属部门"] == site.department(asset.owner).name
        assert facts["数据主题"] == "、".join(asset.subjects)
        assert facts["数据分级"] == asset.level
        assert facts["更新频率"] == asset.update_frequency
        assert facts["开放属性"] == asset.access
        assert facts["含个人信息"] == ("是" if asset.personal_information else "否")
        assert facts["数据来源"] == " ".join(asset.source.split())
        assert (
            facts["注册日期"]
            == f"{asset.registered_on.year}年{asset.registered_on.month}月{asset.registered_on.day}日"
        )
        assert facts["数据知识产权登记"] == (asset.data_ip_registration or "未登记")
        assert " ".join(asset.description.split()) in text(section)
    registered = [a for a in assets if a.data_ip_registration]
    assert registered, "the sample catalog should show a 数据知识产权 registration"


@pytest.mark.parametrize(
    ("key", "table", "values"),
    [
        ("subject", SUBJECTS, lambda a: a.subjects),
        ("type", ASSET_TYPES, lambda a: [a.type]),
        ("access", ACCESS_LEVELS, lambda a: [a.access]),
    ],
)
def test_classified_lookup_lists_the_right_assets(built_site: Path, site: Site, key, table, values) -> None:
    page = html_of(built_site, urls.DATA_ASSETS)
    dimension = page.select_one(f'section.ipps-asset-dimension[data-dimension="{key}"]')
    groups = {div["data-group"]: div for div in dimension.select("dl > div")}
    expected = {code: [a.id for a in site.catalog.assets if code in values(a)] for code in table.entries}
    assert list(groups) == [code for code, found in expected.items() if found]
    for code, div in groups.items():
        assert [a["href"] for a in div.select("dd a")] == [f"#asset-{i}" for i in expected[code]]


def test_data_asset_links_resolve(built_site: Path) -> None:
    links = internal_links(built_site, urls.DATA_ASSETS)
    assert (urls.OPEN_DATA, "") in links


# --- standards ---------------------------------------------------------------------------------


def test_standards_page_lists_followed_and_authored_standards(built_site: Path, site: Site) -> None:
    page = html_of(built_site, urls.STANDARDS)
    standards = site.catalog.standards
    rows = page.select('table[data-standards="followed"] tbody tr')
    assert len(rows) == len(standards.followed)
    for row, standard in zip(rows, standards.followed, strict=True):
        cells = [text(td) for td in row.find_all("td")]
        assert cells == [
            standard.code,
            standard.title,
            standard.kind,
            standard.state,
            " ".join(standard.application.split()),
        ]
        link = row.find_all("td")[1].a
        assert (link["href"] if link else None) == standard.url

    blocks = page.select("section.ipps-authored")
    assert len(blocks) == len(standards.authored)
    for block, standard in zip(blocks, standards.authored, strict=True):
        assert standard.title in text(block.h3)
        facts = {text(div.dt): text(div.dd) for div in block.select("dl.ipps-facts > div")}
        assert facts["标准编号"] == (standard.code or "尚未编号")
        assert facts["起草角色"] == standard.role
        assert facts["标准状态"] == standard.state
        assert facts["标准类别"] == standard.kind
        if standard.published_on:
            assert facts["发布日期"].startswith(str(standard.published_on.year))
        if standard.note:
            assert " ".join(standard.note.split()) in text(block)
    assert {a.get("id") for a in page.select("h2[id]")} >= {"followed", "authored"}
    internal_links(built_site, urls.STANDARDS)


# --- change log -----------------------------------------------------------------------------------


def change_pages(site_dir: Path) -> list[str]:
    found, number = [], 1
    while (site_dir / urls.paged(urls.CHANGES, number) / "index.html").is_file():
        found.append(urls.paged(urls.CHANGES, number))
        number += 1
    return found


def test_change_log_is_complete_newest_first_and_paginated(built_site: Path, site: Site) -> None:
    records = list(site.changes())
    pages = change_pages(built_site)
    assert len(pages) == -(-len(records) // PER_PAGE)
    assert len(pages) > 1, "the sample catalog has more than one page of changes"

    seen = []
    for url in pages:
        page = html_of(built_site, url)
        rows = page.select("table.ipps-changes tbody tr")
        assert 0 < len(rows) <= PER_PAGE
        for row in rows:
            cells = row.find_all("td")
            link = cells[1].a
            target = urljoin("/" + url, link["href"]).lstrip("/")
            seen.append((cells[0].time["datetime"], target, text(cells[2]), text(cells[3])))
        assert page.select_one("[data-pagefind-body]") is None, "the change log lists; search finds the items"

    expected = [
        (date.isoformat(), urls.item(slug), version, " ".join(summary.split()))
        for date, slug, _item, version, summary in records
    ]
    assert seen == expected

    first = html_of(built_site, pages[0]).select_one("table.ipps-changes tbody tr")
    newest = records[0]
    assert first.time["datetime"] == newest[0].isoformat() == max(r[0] for r in records).isoformat()


def test_change_log_badges_items_not_in_use(built_site: Path, site: Site) -> None:
    states = {}
    for url in change_pages(built_site):
        for row in html_of(built_site, url).select("table.ipps-changes tbody tr"):
            cell = row.find_all("td")[1]
            states[text(cell.a)] = cell.select_one(".ipps-badge")
    for item in site.catalog.items.values():
        badge = states[item.name]
        assert (badge is not None) == (item.status.state != "在用"), item.name
    assert any(badge is not None for badge in states.values()), "the sample has suspended or cancelled items"


def test_change_log_pages_link_to_each_other(built_site: Path) -> None:
    pages = change_pages(built_site)
    for url in pages:
        links = internal_links(built_site, url)
        targets = {target for target, _ in links}
        assert set(pages) - {url} <= targets, f"{url} should link to every other page"
        page = html_of(built_site, url)
        assert page.select_one('.ipps-pager [aria-current="page"]').get_text() == str(pages.index(url) + 1)
