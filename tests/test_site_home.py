"""The home page: search, entries by audience and subject, themes, common items, notices."""

from __future__ import annotations

from pathlib import Path

from generator.catalog import load_catalog
from generator.site import urls
from tests.conftest import SAMPLE_CATALOG, html_of


def test_home_page_entries(built_site: Path) -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    page = html_of(built_site, urls.HOME)
    assert page.select_one("form[role=search]")["action"].rstrip("/").endswith("search")
    audiences = [a.strong.get_text() for a in page.find(id="audiences").find_next("ul").select("a.ipps-card")]
    assert audiences == [a.name for a in catalog.platform.audiences]
    subjects = {
        a.strong.get_text(): a.span.get_text()
        for a in page.find(id="subjects").find_next("ul").select("a.ipps-card")
    }
    live = [i for i in catalog.items.values() if i.status.state != "取消"]
    assert subjects["专利"] == f"{sum('专利' in i.subjects for i in live)} 项服务"
    themes = [a.strong.get_text() for a in page.find(id="themes").find_next("ul").select("a.ipps-card")]
    assert themes == [t.name for t in catalog.themes.values()]
    featured = [a.get_text() for a in page.find(id="featured").find_next("ul").select("a")]
    assert featured == [catalog.items[s].name for s in catalog.platform.featured_items]


def test_notices_are_shown_newest_first_with_their_item(built_site: Path) -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    notices = html_of(built_site, urls.HOME).select(".ipps-notices li")
    assert [n.strong.get_text() for n in notices] == [n.title for n in catalog.platform.notices]
    first = notices[0]
    assert first.time["datetime"] == str(catalog.platform.notices[0].date)
    assert first.a["href"].endswith(urls.item(catalog.platform.notices[0].item))
