"""The built site in real Chromium: phones, printing, list filters, no JavaScript.

Each test runs in a fresh tab (the ``visit`` fixture), which fails the test if any request
leaves 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest

from generator.catalog import load_catalog
from generator.site import urls
from tests.browser import Visit
from tests.conftest import SAMPLE_CATALOG

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def phone(chromium: Any, site_server: str) -> Any:
    tab = Visit(chromium, site_server, **PHONE)
    yield tab
    external = tab.external()
    tab.close()
    assert not external


@pytest.mark.parametrize(
    "url",
    [
        urls.HOME,
        urls.item("patent-pledge"),
        urls.ITEMS,
        urls.fee_standard("cnipa-patent"),
        urls.theme("ip-pledge-financing-bundle"),
        "about/",
    ],
)
def test_pages_fit_a_phone_screen(phone: Visit, url: str) -> None:
    phone.open(url)
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    text_size = phone.page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)"
    )
    assert text_size >= 14, f"{url}: body text of {text_size}px is too small to read on a phone"


def test_the_menu_opens_on_a_phone(phone: Visit) -> None:
    phone.open(urls.item("patent-pledge"))
    phone.page.click("label.md-header__button[for='__drawer']")
    phone.page.wait_for_timeout(400)
    link = phone.page.locator(".md-sidebar--primary .md-nav__link", has_text="收费标准").first
    assert link.is_visible()


def test_a_guide_page_prints_as_a_materials_checklist(visit: Visit) -> None:
    visit.open(urls.item("patent-pledge"))
    visit.page.emulate_media(media="print")
    assert not visit.page.locator(".md-header").is_visible()
    assert not visit.page.locator(".md-sidebar--secondary").is_visible()
    assert not visit.page.locator(".ipps-actions").is_visible()
    table = visit.page.locator("table.ipps-materials")
    assert table.is_visible()
    item = load_catalog(SAMPLE_CATALOG).items["patent-pledge"]
    assert table.locator("tbody tr").count() == len(item.materials)
    assert table.locator("input[type=checkbox]").first.is_visible()
    assert not table.locator("th", has_text="空表、样表").is_visible()  # links are no use on paper
    pdf = visit.page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_list_filter_shows_every_matching_item(visit: Visit) -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    expected = {i.name for i in catalog.items.values() if i.status.state != "取消" and "商标" in i.subjects}
    visit.open(urls.ITEMS)
    visit.page.select_option("select[name=subject]", "trademark")
    visit.page.wait_for_function(
        "() => document.querySelector('[data-ipps-count]').textContent.includes('符合条件')"
    )
    names = visit.page.eval_on_selector_all(
        "table.ipps-list tbody tr td:nth-child(3) a", "links => links.map(a => a.textContent)"
    )
    assert set(names) == expected
    assert f"{len(expected)} 项" in visit.page.inner_text("[data-ipps-count]")
    first = visit.page.locator("table.ipps-list tbody tr td:nth-child(3) a").first
    first.click()
    visit.page.wait_for_load_state()
    assert visit.page.locator("h1").inner_text() in expected
    visit.page.go_back()
    visit.page.select_option("select[name=subject]", "")  # back to the full first page
    assert visit.page.locator("table.ipps-list tbody tr").count() == len(
        [i for i in catalog.items.values() if i.status.state != "取消"]
    )


def test_pages_work_without_javascript(chromium: Any, site_server: str) -> None:
    tab = Visit(chromium, site_server, javascript=False)
    try:
        tab.open(urls.item("patent-pledge"))
        assert tab.page.locator("table.ipps-materials tbody tr").count() > 0
        tab.open(urls.ITEMS)
        assert not tab.page.locator("form[data-ipps-filters]").is_visible()  # filters need JS
        assert tab.page.locator("details", has_text="按分类查看").is_visible()
        assert tab.page.locator("table.ipps-list tbody tr").count() > 0
        assert not tab.external()
    finally:
        tab.close()
