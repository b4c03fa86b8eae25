"""主题服务 pages: the bundle's items in order and the union of their materials."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.catalog import Catalog, load_catalog
from generator.site import urls
from generator.site.pages import themes as theme_pages
from generator.site.render import make_environment, render, time_limit
from generator.site.site import Site
from tests.conftest import SAMPLE_CATALOG, html_of
from tests.test_site_browse import assert_links_resolve

SAMPLE = load_catalog(SAMPLE_CATALOG)


def slug_of(href: str) -> str:
    return Path(urlsplit(href).path).name


def test_index_has_a_card_per_theme_grouped_by_kind(built_site: Path, catalog: Catalog) -> None:
    soup = html_of(built_site, urls.THEMES)
    assert soup.find("h1").get_text(strip=True) == "主题服务"
    seen = []
    for heading in soup.select("article h2"):
        kind = heading.get_text(strip=True).removesuffix("服务")
        cards = heading.find_next_sibling("ul").select("a.ipps-card")
        names = [card.strong.get_text(strip=True) for card in cards]
        assert names == [t.name for t in catalog.themes.values() if t.kind == kind]
        for card, theme in zip(cards, [t for t in catalog.themes.values() if t.kind == kind], strict=True):
            assert slug_of(card["href"]) == theme.id
            assert f"{len(theme.items)} 个事项" in card.get_text()
        seen += names
    assert sorted(seen) == sorted(t.name for t in catalog.themes.values())
    assert_links_resolve(built_site, urls.THEMES)


@pytest.mark.parametrize("theme_id", list(SAMPLE.themes))
def test_theme_page_lists_items_in_order(built_site: Path, catalog: Catalog, theme_id: str) -> None:
    theme = catalog.themes[theme_id]
    soup = html_of(built_site, urls.theme(theme_id))
    assert soup.find("h1").get_text(strip=True) == theme.name
    body = soup.select_one("article").get_text()
    assert theme.life_event in body
    assert theme.description in body
    assert theme.kind in soup.select_one(".ipps-badges").get_text()

    steps = soup.select("#steps + ol.ipps-steps > li")
    assert [slug_of(step.select_one("strong a")["href"]) for step in steps] == theme.items
    for step, slug in zip(steps, theme.items, strict=True):
        item = catalog.items[slug]
        meta = step.select_one(".ipps-step-meta").get_text()
        assert f"承诺时限 {time_limit(item.promised_time_limit)}" in meta
        assert ("不收费" if item.fees.free else "涉及收费") in meta
        assert bool(step.select_one(".ipps-badge--warn")) == (item.status.state == "暂停")
    assert_links_resolve(built_site, urls.theme(theme_id))


@pytest.mark.parametrize("theme_id", list(SAMPLE.themes))
def test_theme_materials_are_the_deduplicated_union(
    built_site: Path, catalog: Catalog, theme_id: str
) -> None:
    theme = catalog.themes[theme_id]
    soup = html_of(built_site, urls.theme(theme_id))
    rows = soup.select("table.ipps-theme-materials tbody tr")
    names = [row.select_one("th[scope=row]").get_text(strip=True) for row in rows]
    assert len(names) == len(set(names)), "no material appears twice"

    expected: dict[str, list[tuple[str, bool]]] = {}
    for slug in theme.items:
        for material in catalog.items[slug].materials:
            expected.setdefault(material.name, []).append((slug, material.required))
    assert names == list(expected), "every material, in order of first appearance"

    for row, name in zip(rows, names, strict=True):
        uses = row.select("ul.ipps-uses > li")
        assert [slug_of(li.a["href"]) for li in uses] == [slug for slug, _ in expected[name]]
        for li, (_, required) in zip(uses, expected[name], strict=True):
            assert li.get_text().split("：", 1)[1].startswith("必备" if required else "按情形提交")
            assert urlsplit(li.a["href"]).fragment.startswith("material-")
        flags = [required for _, required in expected[name]]
        summary = row.find_all("td")[-1].get_text(strip=True)
        assert summary == ("必备" if all(flags) else "部分事项必备" if any(flags) else "按情形提交")


def test_shared_material_is_merged(catalog: Catalog) -> None:
    """The sample's pledge bundle names one material in three items: one row, three uses."""
    site = Site(catalog)
    shared = theme_pages.materials(site, catalog.themes["ip-pledge-financing-bundle"])
    multi = [m for m in shared if len(m.uses) > 1]
    assert multi
    assert all(len({u.step for u in m.uses}) == len(m.uses) for m in multi)


def test_suspended_item_in_a_theme_is_flagged(catalog: Catalog) -> None:
    suspended = next(s for s, i in catalog.items.items() if i.status.state == "暂停")
    theme = next(iter(catalog.themes.values()))
    theme = theme.model_copy(update={"items": [*theme.items, suspended]})
    site = Site(dataclasses.replace(catalog, themes={**catalog.themes, theme.id: theme}))
    env = make_environment()
    context = {
        "site": site,
        "platform": site.platform,
        "catalog": site.catalog,
        **theme_pages.context(site, theme),
    }
    soup = BeautifulSoup(render(env, "theme.html", urls.theme(theme.id), context), "html.parser")
    notice = soup.select_one(".ipps-notice")
    assert notice and catalog.items[suspended].name in notice.get_text() and "暂停受理" in notice.get_text()
    last = soup.select("ol.ipps-steps > li")[-1]
    assert last.select_one(".ipps-badge--warn").get_text(strip=True) == "暂停受理"
