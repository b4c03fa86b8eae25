"""The basic (annex C) and value-added (annex D) directory pages with their items."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.catalog import Catalog
from generator.site import urls
from generator.site.pages import directories
from generator.site.site import Site
from tests.conftest import html_of
from tests.test_site_browse import assert_links_resolve, item_slugs

ANNEX_C = ["公共服务政策", "公共服务产品", "信息公共服务", "数据开放共享", "便利化政务服务", "政策业务咨询",
           "版权类基础服务", "专利类基础服务", "商标类基础服务", "其他知识产权基础服务"]  # fmt: skip
ANNEX_D = ["知识产权咨询", "知识产权代理", "知识产权诉讼代理", "商业秘密保护", "知识产权评估", "知识产权转让许可",
           "知识产权贯标", "知识产权专业化培训", "知识产权政策兑现", "知识产权质押", "知识产权证券化",
           "其他知识产权增值服务"]  # fmt: skip


@pytest.mark.parametrize(("stem", "names"), [("basic", ANNEX_C), ("value-added", ANNEX_D)])
def test_directory_shows_the_standards_table_with_items(
    built_site: Path, site: Site, catalog: Catalog, stem: str, names: list[str]
) -> None:
    directory = catalog.directories[stem]
    soup = html_of(built_site, urls.directory(stem))
    assert soup.find("h1").get_text(strip=True) == directory.name
    assert directory.description in soup.select_one("article").get_text()

    rows = soup.select("table.ipps-directory tbody tr")
    assert [row.find("td").get_text(strip=True) for row in rows] == [str(n) for n in range(1, len(names) + 1)]
    assert [row.select_one("th[scope=row]").get_text(strip=True) for row in rows] == names
    for row, entry in zip(rows, sorted(directory.entries, key=lambda e: e.seq), strict=True):
        assert entry.description in row.get_text()
        listed = [e.slug for e in site.listed if e.item.category == entry.id]
        links = [Path(urlsplit(a["href"]).path).name for a in row.select("ul.ipps-entry-items a")]
        assert links == listed[: directories.PREVIEW]
        if not listed:
            assert "暂无事项" in row.get_text()
    total = sum(1 for e in site.listed if site.category(e.item.category)[2] == stem)
    assert f"{total} 项服务事项" in soup.select_one(".ipps-badges").get_text()
    assert_links_resolve(built_site, urls.directory(stem))


def test_cancelled_items_are_not_in_the_directories(built_site: Path, catalog: Catalog) -> None:
    cancelled = {s for s, i in catalog.items.items() if i.status.state == "取消"}
    assert cancelled
    for stem in catalog.directories:
        soup = html_of(built_site, urls.directory(stem))
        linked = {Path(urlsplit(a["href"]).path).name for a in soup.select("table.ipps-directory a")}
        assert not linked & cancelled


def test_entry_pages_list_every_item_of_the_category(built_site: Path, site: Site, catalog: Catalog) -> None:
    for stem, directory in catalog.directories.items():
        for entry in directory.entries:
            url = urls.directory_entry(stem, entry.id)
            soup = html_of(built_site, url)
            assert soup.find("h1").get_text(strip=True) == entry.name
            assert item_slugs(soup) == [e.slug for e in site.listed if e.item.category == entry.id]
        assert_links_resolve(built_site, urls.directory_entry(stem, directory.entries[0].id))


def test_a_large_category_links_to_its_own_pages(catalog: Catalog) -> None:
    """A directory page shows at most PREVIEW items per entry; the entry's pages hold the rest."""
    slug = next(s for s, i in catalog.items.items() if i.category == "patent-basic")
    items = {**catalog.items, **{f"{slug}-copy-{n}": catalog.items[slug] for n in range(150)}}
    big = Site(dataclasses.replace(catalog, items=items))
    found = {page.url: page for page in directories.pages(big)}
    context = found[urls.directory("basic")].context()
    row = next(r for r in context["entries"] if r["entry"].id == "patent-basic")
    assert len(row["listed"]) == directories.PREVIEW
    assert row["total"] > 150
    base = urls.directory_entry("basic", "patent-basic")
    assert urls.paged(base, 2) in found
    assert len(found[base].context()["rows"]) == directories.PER_PAGE
