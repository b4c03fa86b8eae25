"""The search page (issue 3 §2): Chinese queries find the right items, in real Chromium.

The sample site (``built_site``, search index included) is served on 127.0.0.1 by a
``http.server`` in a thread; Chromium opens ``search/?q=…`` or types into the forms, and the
tests read the result links off the page. Tests marked ``browser`` are skipped when
/usr/bin/chromium (or Playwright) is missing; the others parse the built HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

import pytest

from generator.site import urls
from generator.site.search_index import BUNDLE_DIR

from .browser import Visit
from .conftest import html_of

QUERY_BUDGET = 300 * 1024
"""Bytes a visitor may download to run one query (issue 3 §2)."""

EXAMPLES = [
    ("质押", {urls.item("patent-pledge"), urls.item("trademark-pledge")}),
    ("软著", {urls.item("software-copyright-guidance")}),
    ("软件著作权", {urls.item("software-copyright-guidance")}),
]

browser_test = pytest.mark.browser


# --- built HTML ----------------------------------------------------------------------------


def target(site_dir: Path, page_url: str, href: str) -> Path:
    """The built file a relative link on ``page_url`` points to."""
    path = unquote(urlsplit(urljoin("http://site/" + page_url, href)).path).lstrip("/")
    file = site_dir / path
    return file / "index.html" if path == "" or path.endswith("/") else file


def test_search_page_has_a_form_that_submits_q_to_itself(built_site: Path) -> None:
    soup = html_of(built_site, urls.SEARCH)
    assert soup.find("h1").get_text(strip=True) == "搜索"
    assert soup.find("title").get_text().startswith("搜索")
    assert soup.find("meta", attrs={"name": "description"})["content"]
    form = soup.select_one("form[data-ipps-search]")
    assert form["method"] == "get"
    assert target(built_site, urls.SEARCH, form["action"]) == built_site / urls.SEARCH / "index.html"
    box = form.find("input", attrs={"name": "q"})
    assert box["type"] == "search"
    assert form.find("label", attrs={"for": box["id"]}).get_text(strip=True)
    # the page lists others: it is not itself indexed
    assert soup.select_one("[data-pagefind-body]") is None


def test_search_page_loads_its_script_and_pagefind_from_the_site(built_site: Path) -> None:
    soup = html_of(built_site, urls.SEARCH)
    script = soup.find("script", src=lambda s: s and s.endswith("search.js"))
    assert target(built_site, urls.SEARCH, script["src"]).is_file()
    bundle = soup.select_one("form[data-ipps-search]")["data-bundle"]
    assert (target(built_site, urls.SEARCH, bundle).parent / "pagefind.js").is_file()
    assert target(built_site, urls.SEARCH, bundle).parent == built_site / BUNDLE_DIR.rstrip("/")


def test_without_javascript_the_page_says_so_and_links_to_the_lists(built_site: Path) -> None:
    soup = html_of(built_site, urls.SEARCH)
    noscript = soup.find("noscript")
    assert "JavaScript" in noscript.get_text()
    linked = {target(built_site, urls.SEARCH, a["href"]) for a in noscript.find_all("a")}
    assert linked == {built_site / urls.BROWSE / "index.html", built_site / urls.ITEMS / "index.html"}
    assert all(path.is_file() for path in linked)


def test_every_link_on_the_search_page_resolves(built_site: Path) -> None:
    soup = html_of(built_site, urls.SEARCH)
    article = soup.find("article")
    hrefs = [a["href"] for a in article.find_all("a")]
    assert hrefs
    for href in hrefs:
        assert target(built_site, urls.SEARCH, href).is_file(), href


def test_hints_are_catalog_keywords_that_search_for_themselves(built_site: Path) -> None:
    from generator.catalog import load_catalog

    from .conftest import SAMPLE_CATALOG

    keywords = {k for item in load_catalog(SAMPLE_CATALOG).items.values() for k in item.keywords}
    links = html_of(built_site, urls.SEARCH).select(".ipps-search-hints a")
    assert len(links) >= 3
    for link in links:
        query = parse_qs(urlsplit(link["href"]).query)["q"]
        assert query == [link.get_text(strip=True)]
        assert query[0] in keywords


@pytest.mark.parametrize("page_url", [urls.HOME, urls.item("patent-pledge")])
def test_home_and_header_forms_submit_q_to_the_search_page(built_site: Path, page_url: str) -> None:
    soup = html_of(built_site, page_url)
    forms = soup.find_all("form", attrs={"role": "search"})
    assert forms
    for form in forms:
        assert form.get("method", "get").lower() == "get"
        assert target(built_site, page_url, form["action"]) == built_site / urls.SEARCH / "index.html"
        assert form.find("input", attrs={"name": "q"}) is not None


def test_item_pages_are_indexed_with_their_aliases(built_site: Path) -> None:
    soup = html_of(built_site, urls.item("software-copyright-guidance"))
    body = soup.select_one("[data-pagefind-body]")
    assert body is not None
    assert "软著" in body.get_text()


# --- real Chromium ------------------------------------------------------------------------


@browser_test
@pytest.mark.parametrize(("query", "expected"), EXAMPLES)
def test_query_in_the_address_finds_the_items(visit: Visit, query: str, expected: set[str]) -> None:
    visit.open(f"{urls.SEARCH}?q={quote(query)}")
    visit.wait_for_results(query)
    assert visit.page.input_value("#ipps-search-q") == query
    found = visit.result_urls()
    assert expected <= set(found), found
    # readable results: the item's Chinese name as link text, an excerpt with the match marked
    first = visit.page.locator(".ipps-search-result").first
    assert first.locator("h3 a").inner_text().strip()
    assert first.locator(".ipps-search-result__excerpt mark").count() >= 1


@browser_test
def test_typing_into_the_box_searches_and_keeps_q_in_the_address(visit: Visit) -> None:
    visit.open(urls.SEARCH)
    assert visit.page.locator(".ipps-search-result").count() == 0
    visit.page.locator("#ipps-search-q").press_sequentially("软件著作权")
    visit.wait_for_results("软件著作权")
    assert urls.item("software-copyright-guidance") in visit.result_urls()
    assert parse_qs(urlsplit(visit.page.url).query)["q"] == ["软件著作权"]


@browser_test
def test_home_page_form_leads_to_results(visit: Visit) -> None:
    visit.open(urls.HOME)
    form = visit.page.locator(".ipps-hero form[role=search]")
    form.locator("input[name=q]").fill("质押")
    form.locator("input[name=q]").press("Enter")
    visit.page.wait_for_url("**/search/?q=*")
    visit.wait_for_results("质押")
    assert {urls.item("patent-pledge"), urls.item("trademark-pledge")} <= set(visit.result_urls())
    assert visit.page.input_value("#ipps-header-q") == "质押"


@browser_test
def test_header_form_leads_to_results(visit: Visit) -> None:
    visit.open(urls.item("patent-pledge"))
    visit.page.fill("#ipps-header-q", "软著")
    visit.page.press("#ipps-header-q", "Enter")
    visit.page.wait_for_url("**/search/?q=*")
    visit.wait_for_results("软著")
    assert urls.item("software-copyright-guidance") in visit.result_urls()


@browser_test
def test_a_query_without_results_says_so(visit: Visit) -> None:
    visit.open(f"{urls.SEARCH}?q={quote('qzxwvjk')}")
    visit.wait_for_results("qzxwvjk")
    assert visit.page.locator(".ipps-search-result").count() == 0
    assert "没有找到" in visit.page.inner_text("[data-ipps-search-status]")


@browser_test
def test_more_results_load_on_request(visit: Visit) -> None:
    visit.open(f"{urls.SEARCH}?q={quote('专利')}")
    visit.wait_for_results("专利")
    shown = visit.page.locator(".ipps-search-result").count()
    more = visit.page.locator("[data-ipps-search-more]")
    if not more.is_visible():
        pytest.skip("the sample catalog has too few results for a second batch")
    more.click()
    visit.page.wait_for_function(
        "n => document.querySelectorAll('.ipps-search-result').length > n", arg=shown, timeout=15_000
    )
    urls_found = visit.result_urls()
    assert len(urls_found) == len(set(urls_found))


@browser_test
def test_one_query_downloads_little(visit: Visit) -> None:
    visit.open(urls.SEARCH)
    before = len(visit.bodies)
    visit.page.fill("#ipps-search-q", "质押")
    visit.page.press("#ipps-search-q", "Enter")
    visit.wait_for_results("质押")
    visit.page.wait_for_load_state("networkidle")
    search = visit.bodies[before:]
    assert sum(size for _, size in search) <= QUERY_BUDGET, search
    # only Pagefind's script, wasm, index chunks and fragments; not its UI bundles or web worker
    loaded = {urlsplit(url).path.rsplit("/", 1)[-1] for url, _ in search}
    assert "pagefind.js" in loaded
    assert not loaded & {"pagefind-ui.js", "pagefind-component-ui.js", "pagefind-worker.js"}


@browser_test
def test_search_page_without_javascript(chromium: Any, site_server: str) -> None:
    tab = Visit(chromium, site_server, javascript=False)
    try:
        tab.open(f"{urls.SEARCH}?q={quote('质押')}")
        text = tab.page.inner_text("article")
        assert "搜索需要浏览器启用 JavaScript" in text
        assert tab.page.get_by_role("link", name="分类浏览").first.is_visible()
        assert not tab.external()
    finally:
        tab.close()
