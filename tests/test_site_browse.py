"""Classification pages (8.2.1): the right items under every value, with working links."""

from __future__ import annotations

import dataclasses
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.catalog import Catalog
from generator.schema.tables import ITEM_TYPES, NATURES, SERVICE_OBJECTS, SUBJECTS
from generator.site import urls
from generator.site.pages import browse
from generator.site.site import Site
from tests.conftest import html_of

EXTERNAL = ("http:", "https:", "mailto:", "tel:")


def listed_slugs(site: Site, keep) -> list[str]:
    """Slugs of the listed (not cancelled) items that ``keep`` accepts, in list order."""
    return [entry.slug for entry in site.listed if keep(entry.item)]


def item_slugs(soup) -> list[str]:
    """The items a classification page's table links to, in table order."""
    table = soup.select_one("table.ipps-item-table")
    if table is None:
        return []
    found = []
    for row in table.select("tbody tr"):
        href = row.select_one("th[scope=row] a")["href"]
        found.append(Path(urlsplit(href).path).name)
    return found


def assert_links_resolve(site_dir: Path, page_url: str) -> None:
    """Every link in the page body points at a built file (and at an existing anchor)."""
    soup = html_of(site_dir, page_url)
    body = soup.select_one("article") or soup
    for anchor in body.select("a[href]"):
        href = anchor["href"]
        if href.startswith(EXTERNAL):
            continue
        parts = urlsplit(href)
        if not parts.path:
            target_soup = soup
        else:
            path = posixpath.normpath(posixpath.join(page_url, unquote(parts.path)))
            file = site_dir / path
            if file.is_dir() or parts.path.endswith("/"):
                file = file / "index.html"
            assert file.is_file(), f"{page_url}: {href} does not resolve ({file})"
            target_soup = html_of(site_dir, str(file.relative_to(site_dir))) if parts.fragment else None
        if parts.fragment:
            assert target_soup.find(id=parts.fragment), f"{page_url}: no anchor for {href}"


def test_index_links_every_value_with_its_count(built_site: Path, site: Site) -> None:
    soup = html_of(built_site, urls.BROWSE)
    assert soup.find("h1").get_text(strip=True) == "分类浏览"
    sections = [h2["id"] for h2 in soup.select("article h2[id]")]
    assert sections == ["subject", "object", "nature", "department", "type"]

    cards = {}
    for card in soup.select("a.ipps-card"):
        target = posixpath.normpath(posixpath.join(urls.BROWSE, card["href"])) + "/"
        cards[target] = card.select_one("span").get_text(strip=True)

    def expect(dimension: str, value: str, keep) -> None:
        count = len(listed_slugs(site, keep))
        assert cards[urls.browse(dimension, value)] == (f"{count} 项服务" if count else "暂无事项")

    for subject in SUBJECTS.entries:
        expect("subject", subject, lambda i, s=subject: s in i.subjects)
    for nature in NATURES.entries:
        expect("nature", nature, lambda i, n=nature: i.nature == n)
    for audience in site.platform.audiences:
        expect("audience", audience.id, lambda i, a=audience: set(i.service_objects) & set(a.service_objects))
    for code in SERVICE_OBJECTS.entries:
        if listed_slugs(site, lambda i, c=code: c in i.service_objects):
            expect("object", code, lambda i, c=code: c in i.service_objects)
    named = {d for e in site.listed for d in (e.item.department, *e.item.co_departments)}
    for dept_id in named:
        expect("department", dept_id, lambda i, d=dept_id: d in (i.department, *i.co_departments))
    types = {e.item.item_type for e in site.listed}
    assert {url for url in cards if url.startswith(f"{urls.BROWSE}type/")} == {
        urls.browse("type", t) for t in types
    }
    assert_links_resolve(built_site, urls.BROWSE)


def test_patent_page_lists_exactly_the_listed_patent_items(
    built_site: Path, site: Site, catalog: Catalog
) -> None:
    url = urls.browse("subject", "专利")
    assert url == "browse/subject/patent/"
    soup = html_of(built_site, url)
    expected = listed_slugs(site, lambda i: "专利" in i.subjects)
    assert item_slugs(soup) == expected
    cancelled = [s for s, i in catalog.items.items() if i.status.state == "取消" and "专利" in i.subjects]
    assert cancelled, "the sample has a cancelled patent item"
    assert not set(cancelled) & set(item_slugs(soup))
    assert f"共 {len(expected)} 项" in soup.select_one("article").get_text()
    # each row shows the category, the department and a status badge
    first = soup.select_one("table.ipps-item-table tbody tr").find_all("td")
    item = site.item(expected[0])
    found = site.category(item.category)
    assert first[1].get_text(strip=True) == found[1].name
    assert site.department(item.department).short_name in first[2].get_text()
    assert first[3].select_one(".ipps-badge").get_text(strip=True) == "在用"
    assert_links_resolve(built_site, url)


@pytest.mark.parametrize("subject", list(SUBJECTS.entries))
def test_every_subject_page(built_site: Path, site: Site, subject: str) -> None:
    soup = html_of(built_site, urls.browse("subject", subject))
    assert item_slugs(soup) == listed_slugs(site, lambda i: subject in i.subjects)


def test_suspended_item_is_listed_with_its_badge(built_site: Path, site: Site) -> None:
    suspended = [e for e in site.listed if e.item.status.state == "暂停"]
    assert suspended
    entry = suspended[0]
    for subject in entry.item.subjects:
        soup = html_of(built_site, urls.browse("subject", subject))
        row = next(
            r for r in soup.select("table.ipps-item-table tbody tr") if entry.item.name in r.get_text()
        )
        assert row.select_one(".ipps-badge--warn").get_text(strip=True) == "暂停受理"


def test_audience_pages_use_the_intersection_of_service_objects(built_site: Path, site: Site) -> None:
    for audience in site.platform.audiences:
        url = urls.browse("audience", audience.id)
        soup = html_of(built_site, url)
        wanted = set(audience.service_objects)
        assert item_slugs(soup) == listed_slugs(site, lambda i, w=wanted: w & set(i.service_objects))
        assert audience.name in soup.find("h1").get_text()
        assert audience.description in soup.select_one("dl.ipps-facts").get_text()
    # the home page's audience cards land on these pages
    home = html_of(built_site, urls.HOME)
    for card in home.select("#audiences ~ ul a.ipps-card")[: len(site.platform.audiences)]:
        assert (built_site / card["href"] / "index.html").is_file()


def test_object_pages_exist_for_all_six_codes(built_site: Path, site: Site) -> None:
    for code, name in SERVICE_OBJECTS.entries.items():
        soup = html_of(built_site, urls.browse("object", code))
        assert name in soup.find("h1").get_text()
        expected = listed_slugs(site, lambda i, c=code: c in i.service_objects)
        assert item_slugs(soup) == expected
        if not expected:
            assert soup.select_one(".ipps-notice")


def test_department_pages_include_co_departments(built_site: Path, site: Site, catalog: Catalog) -> None:
    co = {d for e in site.listed for d in e.item.co_departments}
    assert co, "the sample has co-implemented items"
    for dept_id, dept in catalog.departments.items():
        url = urls.browse("department", dept_id)
        soup = html_of(built_site, url)
        assert soup.find("h1").get_text(strip=True) == f"实施部门：{dept.name}"
        expected = listed_slugs(site, lambda i, d=dept_id: d in (i.department, *i.co_departments))
        assert item_slugs(soup) == expected
        assert_links_resolve(built_site, url)
    # a co-implementing organisation lists the item, marked as 共同实施
    partner = sorted(co)[0]
    soup = html_of(built_site, urls.browse("department", partner))
    assert "共同实施" in soup.select_one("table.ipps-item-table tbody").get_text()


def test_nature_and_type_pages(built_site: Path, site: Site) -> None:
    for nature in NATURES.entries:
        soup = html_of(built_site, urls.browse("nature", nature))
        assert item_slugs(soup) == listed_slugs(site, lambda i, n=nature: i.nature == n)
    types = {e.item.item_type for e in site.listed}
    for code in ITEM_TYPES.entries:
        page = built_site / urls.browse("type", code) / "index.html"
        assert page.is_file() == (code in types)
        if code in types:
            assert item_slugs(html_of(built_site, urls.browse("type", code))) == listed_slugs(
                site, lambda i, c=code: i.item_type == c
            )


def test_every_link_the_site_makes_to_a_browse_page_resolves(built_site: Path, site: Site) -> None:
    # the lists' filter links, the item pages' links and the directory links
    for url in (urls.ITEMS, urls.item(site.listed[0].slug), urls.directory("basic")):
        soup = html_of(built_site, url)
        for anchor in soup.select("a[href]"):
            href = urlsplit(anchor["href"]).path
            target = posixpath.normpath(posixpath.join(url, href))
            if target.startswith(urls.BROWSE.rstrip("/")):
                assert (built_site / target / "index.html").is_file(), f"{url}: {href}"


def test_value_pages_are_paginated(catalog: Catalog) -> None:
    """250 patent items give three pages of at most 100 rows, numbered across pages."""
    patent = next(s for s, i in catalog.items.items() if i.subjects == ["专利"] and i.status.state == "在用")
    items = dict(catalog.items)
    items.update({f"{patent}-copy-{n}": catalog.items[patent] for n in range(250)})
    big = Site(dataclasses.replace(catalog, items=items))
    base = urls.browse("subject", "专利")
    found = {page.url: page for page in browse.pages(big) if page.url.startswith(base)}
    total = len([e for e in big.listed if "专利" in e.item.subjects])
    assert total > 250
    pages_total = -(-total // browse.PER_PAGE)
    assert set(found) == {urls.paged(base, n) for n in range(1, pages_total + 1)}
    last = found[urls.paged(base, pages_total)].context()
    assert last["pages_total"] == pages_total
    assert len(last["rows"]) == total - (pages_total - 1) * browse.PER_PAGE
    assert last["rows"][0]["number"] == (pages_total - 1) * browse.PER_PAGE + 1
    assert all(not page.searchable and not page.in_nav for page in found.values())
