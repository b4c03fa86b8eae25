"""Properties of every page of the built sample site: language, titles, links, reach."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from forms_api.web import appointments, corrections, display_mode, registrations, verify
from forms_api.web.routes import ROUTES
from tests.conftest import ROOT, SAMPLE_CATALOG

# Attributes through which a page makes the browser fetch something.
LOADING = {"src", "srcset", "poster", "data", "action", "formaction", "background"}
# <link rel=…> values that load a resource (canonical, alternate, prev and next do not).
LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "preconnect", "manifest"}
URL = re.compile(r"https?://[^\s\"'<>)\\]+")
# What makes a stylesheet or a script fetch from another host. Strings that only name a
# host (licence comments, translators' pages, a base URL for parsing) fetch nothing.
CSS_LOAD = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)")
JS_LOAD = re.compile(
    r"(?:\bfetch\(|\bimport\(|importScripts\(|\.src\s*=|\bsrc:\s*|new Worker\()\s*[\"'`]((?:https?:)?//[^\"'`\s]+)"
)


# Form actions point at the service, which serves /api/… on the same port as the site.
API_PATHS = {
    "/api" + route.path
    for route in (
        *ROUTES,
        *corrections.ROUTES,
        *verify.ROUTES,
        *display_mode.ROUTES,
        *appointments.ROUTES,
        *registrations.ROUTES,
    )
}


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


@cache
def editor_urls() -> frozenset[str]:
    """Links editors wrote into the catalog and the hand-written pages: allowed as <a href>."""
    texts = [p.read_text(encoding="utf-8") for p in SAMPLE_CATALOG.rglob("*.yml")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md")]
    texts.append((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return frozenset(url.rstrip(".,;，。；") for text in texts for url in URL.findall(text))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_page_is_chinese_with_a_title_and_description(built_site: Path) -> None:
    for path in html_pages(built_site):
        page = _soup(path)
        assert page.html["lang"] == "zh-CN", path
        title = page.title.get_text(strip=True)
        assert title and re.search(r"[\u4e00-\u9fff]", title), path
        description = page.find("meta", attrs={"name": "description"})
        assert description and len(description["content"]) >= 10, path
        assert page.find("meta", attrs={"name": "viewport"}), path


def test_page_titles_are_distinct(built_site: Path) -> None:
    titles = [_soup(p).title.get_text(strip=True) for p in html_pages(built_site) if p.name != "404.html"]
    duplicates = {t for t in titles if titles.count(t) > 1}
    assert not duplicates


def test_nothing_is_loaded_from_outside_the_site(built_site: Path) -> None:
    offenders = []
    for path in html_pages(built_site):
        for tag in _soup(path).find_all(True):
            for attribute, value in tag.attrs.items():
                values = value if isinstance(value, list) else [value]
                for text in values:
                    if not isinstance(text, str) or not text.startswith(("http:", "https:", "//")):
                        continue
                    loads = attribute in LOADING or (
                        tag.name == "link" and attribute == "href" and LOADING_LINKS & set(tag.get("rel", []))
                    )
                    if loads or (attribute == "href" and tag.name == "a" and text not in editor_urls()):
                        offenders.append(f"{path.relative_to(built_site)}: <{tag.name} {attribute}={text}>")
    for path in built_site.rglob("*.css"):
        for url in CSS_LOAD.findall(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{path.relative_to(built_site)}: {url}")
    for path in built_site.rglob("*.js"):
        for url in JS_LOAD.findall(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{path.relative_to(built_site)}: {url}")
    assert offenders == []


def test_material_scripts_are_not_shipped(built_site: Path) -> None:
    # material's bundle loads polyfills from unpkg.com (generator/site/plugin.py)
    assert not (built_site / "assets" / "javascripts").exists()


def test_no_web_fonts_or_analytics(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for marker in ("fonts.googleapis", "fonts.gstatic", "googletagmanager", "google-analytics", "hm.baidu"):
        assert marker not in home


@cache
def _ids(path: Path) -> frozenset[str]:
    return frozenset(tag["id"] for tag in _soup(path).find_all(id=True))


def _target(site: Path, page: Path, href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    if not parts.path:
        return page
    base = site if parts.path.startswith("/") else page.parent  # 404.html links from the site root
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    return target / "index.html" if target.is_dir() else target


def test_every_internal_link_resolves(built_site: Path) -> None:
    broken = []
    for path in html_pages(built_site):
        for tag in _soup(path).find_all(["a", "link", "script", "img", "form"]):
            href = tag.get("href") or tag.get("src") or tag.get("action")
            if not href:
                continue
            target = _target(built_site, path, href)
            if target is None:
                continue
            where = f"{path.relative_to(built_site)} -> {href}"
            served = target.relative_to(built_site.resolve()).as_posix()
            if served.startswith("api/"):
                if "/" + served not in API_PATHS:
                    broken.append(where + " (no such service endpoint)")
            elif not target.is_file():
                broken.append(where)
            elif (
                (fragment := urlsplit(href).fragment)
                and target.suffix == ".html"
                and fragment not in _ids(target)
            ):
                broken.append(where + " (no such anchor)")
    assert broken == []


@pytest.mark.parametrize("url", ["items/patent-pledge/", "items/", "index.html"])
def test_the_sidebar_holds_sections_not_items(built_site: Path, url: str) -> None:
    page = _soup(built_site / url / "index.html" if url.endswith("/") else built_site / url)
    nav_links = page.select(".md-sidebar--primary a, .md-tabs a")
    assert not [a for a in nav_links if re.search(r"items/[a-z0-9-]+/?$", a.get("href", ""))]


def test_navigation_leads_to_the_same_pages_from_everywhere(built_site: Path) -> None:
    """The sidebar, tabs and footer of pages outside the nav are shared between pages
    (SharedMarkup): wherever a page is, its navigation must resolve to the same pages."""
    expected = None
    for path in html_pages(built_site):
        if path.name == "404.html":
            continue
        page = _soup(path)
        targets = set()
        for link in page.select(".md-sidebar--primary a[href], .md-tabs a[href], .md-footer a[href]"):
            target = _target(built_site, path, link["href"])
            if target is not None:
                targets.add(target.relative_to(built_site.resolve()).as_posix())
        if expected is None:
            expected = targets
        assert targets == expected, path.relative_to(built_site)
