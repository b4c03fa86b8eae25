"""Accessibility of every page type (WCAG 2.1 AA, GB/T 37668-2019), checked by machine.

- axe-core 4 (bundled in PyPI's axe-playwright-python) in real Chromium, with the WCAG 2.1 A
  and AA rules, on every kind of page the public and staff see: at a desktop and a phone
  viewport, in the standard mode and in 关怀模式. No serious or critical finding is allowed.
- the W3C validator (vnu, npm's vnu-jar, run with Java) on the built pages: no error in the
  project's own markup.
- 关怀模式 itself: the switch works without JavaScript (a link and a cookie the server honours)
  and with it (in place), holds across pages, and makes text larger and targets bigger.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.site import urls
from tests.browser import Visit
from tests.conftest import ROOT, start_service
from tests.console import PASSWORD, add_staff
from tests.test_forms_browser import fill_consultation, slot

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MODES = ("standard", "care")
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # details of the violations only: faster on long pages
}
BLOCKING = {"serious", "critical"}

PAGES = {
    "home": urls.HOME,
    "guide": urls.item("patent-pledge"),
    "item list": urls.ITEMS,
    "implementation list": urls.IMPLEMENTATION,
    "classification": urls.BROWSE,
    "classification page": urls.BROWSE + "subject/patent/",
    "themes": urls.THEMES,
    "theme": urls.THEMES + "gi-brand-cultivation/",
    "fees": urls.FEES,
    "fee standard": urls.FEES + "cnipa-patent/",
    "directory": urls.directory("basic"),
    "directory entry": urls.directory_entry("basic", "patent-basic"),
    "guides (导办)": urls.GUIDES,
    "guide question": urls.guide("pledge", ("patent",)),
    "guide result": urls.guide("patent-application", ("invention", "individual-low-income")),
    "service points": urls.POINTS,
    "appointments": urls.APPOINTMENTS,
    "events": urls.EVENTS,
    "event (coming)": urls.event("2027-01-ip-compliance"),
    "event (past, materials)": urls.event("2026-11-pledge-basics"),
    "service point": urls.point("civic-center-hall"),
    "consultation form": urls.CONSULT,
    "FAQ handbook": urls.FAQ,
    "lookup": urls.LOOKUP,
    "rating": urls.RATE,
    "complaint": urls.COMPLAIN,
    "verification": urls.VERIFY,
    "results": urls.RESULTS,
    "disclosure": urls.DISCLOSURE,
    "open data": urls.OPEN_DATA,
    "data assets": urls.DATA_ASSETS,
    "standards": urls.STANDARDS,
    "changes": urls.CHANGES,
    "search": urls.SEARCH + "?q=质押",
    "accessibility statement": "accessibility/",
    "privacy": urls.PRIVACY,
    "not found": "no/such/page/",
}
"""One page of each type of the public site (the sample catalog), by its URL."""

VNU_THEME_MARKUP = {
    # mkdocs-material's base.html: autocomplete="off" keeps Firefox from restoring the menu's
    # open state on going back; the validator allows the attribute on text inputs only.
    "md-toggle": "Attribute “autocomplete” is only allowed",
    # mkdocs-material's toc.html: the table of contents' title names the navigation's toggle,
    # which is inside the sidebar the site hides on pages without navigation.
    "md-nav__title": "The value of the “for” attribute of the “label” element",
}
"""Errors the validator finds in mkdocs-material's own templates, not this project's: the
extract's class -> the start of the message. Anything else fails the test."""


def blocking_findings(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA).response
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary'][:160]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]


@pytest.fixture(scope="module")
def service(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site and its service, with the staff accounts of tests/console.py."""
    data_dir = tmp_path_factory.mktemp("a11y-data")
    add_staff(data_dir)
    url, server, thread = start_service(built_site, data_dir, rate_limit="0")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(params=[(v, m) for v in VIEWPORTS for m in MODES], ids=lambda p: f"{p[0]}-{p[1]}")
def tab(request: pytest.FixtureRequest, chromium: Any, service: str) -> Iterator[Visit]:
    """A tab at one viewport, in one mode (关怀模式 by its cookie, as the switch leaves it). The
    axe script is injected past the Content-Security-Policy, which the site keeps strict."""
    viewport, mode = request.param
    visit = Visit(chromium, service, viewport=VIEWPORTS[viewport], bypass_csp=True)
    if mode == "care":
        visit.context.add_cookies([{"name": "ipps_mode", "value": "care", "url": service}])
    yield visit
    visit.close()
    assert not visit.external(), visit.external()


def test_every_page_type_has_no_serious_accessibility_finding(tab: Visit) -> None:
    found = {}
    for name, url in PAGES.items():
        tab.page.goto(tab.base + url, wait_until="load")  # static pages: no need to wait for idle
        if url.startswith(urls.SEARCH):
            tab.wait_for_results("质押")
        if findings := blocking_findings(tab.page):
            found[name] = findings
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_pages_the_service_renders_have_no_serious_accessibility_finding(tab: Visit) -> None:
    page, found = tab.page, {}

    def check(name: str) -> None:
        if findings := blocking_findings(page):
            found[name] = findings

    # a form sent without the site's script (form.submit() skips it): the receipt page
    tab.open(urls.CONSULT)
    fill_consultation(tab)
    with page.expect_navigation():
        page.eval_on_selector("form[data-ipps-form='consultation']", "form => form.submit()")
    assert page.inner_text("h1") == "咨询留言已提交"
    receipt_no, code = slot(tab, "receipt_no"), slot(tab, "lookup_code")
    check("receipt page")
    # the same form with mistakes: the form again, with its error summary
    tab.open(urls.CONSULT)
    page.fill("#consult-email", "not-an-email")
    with page.expect_navigation():
        page.eval_on_selector("form[data-ipps-form='consultation']", "form => form.submit()")
    assert page.locator("[data-ipps-summary]").count() == 1
    check("form with mistakes")
    # the receipt the script shows in place
    tab.open(urls.CONSULT)
    fill_consultation(tab)
    page.click("form[data-ipps-form='consultation'] [data-ipps-submit]")
    page.wait_for_selector("[data-ipps-receipt-title]")
    check("receipt in place")
    # the lookup's answer, in place
    tab.open(f"{urls.LOOKUP}?receipt_no={receipt_no}")
    page.fill("#lookup-code", code)
    page.click("form[data-ipps-form='lookup'] [data-ipps-submit]")
    page.wait_for_selector(".ipps-lookup-view")
    check("lookup result")

    # the booking form (slots as radio buttons), rendered by the service
    tab.open(f"{urls.APPOINTMENTS}?item=patent-pledge")
    assert page.locator("input[name=slot]").count() > 10
    check("booking form")
    tab.open(f"{urls.APPOINTMENTS}manage")
    check("appointment manage form")

    # the staff console: login, workbench, the record, the audit log
    tab.open("staff/login")
    check("console login")
    page.fill("#login-username", "admin")
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/staff/login'] button[type=submit]")
    assert page.inner_text("h1") == "工作台"
    check("console workbench")
    tab.open(f"staff/records/{receipt_no}")
    assert receipt_no in page.inner_text("h1")
    check("console record")
    tab.open("staff/audit")
    check("console audit log")
    tab.open("staff/appointments")
    check("console appointments")
    tab.open("staff/events")
    check("console events")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def _switch_text(tab: Visit) -> str:
    return tab.page.inner_text(".ipps-mode a:visible")


def _switch(tab: Visit, javascript: bool) -> None:
    """Click the header's switch: in place with the script; without it, a round trip through
    /api/mode, measured only once the page it comes back to has loaded its stylesheets."""
    if javascript:
        tab.page.click(".ipps-mode a:visible")
        tab.page.wait_for_load_state("load")
        return
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.click(".ipps-mode a:visible")


def _base_font_px(tab: Visit) -> float:
    return tab.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


@pytest.mark.parametrize("javascript", [False, True], ids=["plain", "script"])
def test_care_mode_switches_on_and_holds_across_pages(chromium: Any, service: str, javascript: bool) -> None:
    visit = Visit(chromium, service, javascript=javascript)
    try:
        page = visit.page
        visit.open(urls.item("patent-pledge"))
        standard_px = _base_font_px(visit)
        assert _switch_text(visit) == "关怀模式"
        _switch(visit, javascript)
        page.locator(".ipps-mode__exit").wait_for(state="visible")
        # the same page (in place with the script; by the server's redirect without it)
        assert page.url == service + urls.item("patent-pledge")
        assert _switch_text(visit) == "退出关怀模式"
        care_px = _base_font_px(visit)
        assert care_px >= standard_px * 1.2  # larger text everywhere
        # bigger targets: the header's links and the form's buttons at least 44 px high
        button = page.locator("form[data-ipps-form='consultation'] [data-ipps-submit]").bounding_box()
        assert button is not None and button["height"] >= 44

        visit.open(urls.CONSULT)  # another page: still in 关怀模式
        assert _switch_text(visit) == "退出关怀模式" and _base_font_px(visit) == care_px
        _switch(visit, javascript)
        page.locator(".ipps-mode__enter").wait_for(state="visible")
        assert _base_font_px(visit) == standard_px
        visit.open(urls.HOME)
        assert _switch_text(visit) == "关怀模式"
    finally:
        visit.close()


def test_the_switch_goes_back_only_to_pages_of_this_site(service: str) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for target, expected in [
        ("/items/patent-pledge/", "/items/patent-pledge/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
    ]:
        request = urllib.request.Request(f"{service}api/mode?set=care&next={urllib.parse.quote(target)}")
        try:
            opener.open(request, timeout=10)
        except urllib.error.HTTPError as answer:
            assert answer.code == 303
            assert answer.headers["Location"] == expected, target
            assert "ipps_mode=care" in answer.headers["Set-Cookie"]
        else:
            pytest.fail("the switch did not redirect")


def _vnu() -> list[str]:
    jar = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if not jar.is_file() or java is None:
        pytest.fail(f"the W3C validator needs {jar} (make installs it with npm ci) and Java")
    return [java, "-jar", str(jar)]


def test_the_built_pages_have_no_validator_error_in_the_projects_markup(built_site: Path) -> None:
    files = [
        built_site / "404.html" if url.startswith("no/") else built_site / url.split("?")[0] / "index.html"
        for url in PAGES.values()
    ]
    files.append(built_site / "forms" / "page" / "index.html")  # the shell of the service's pages
    answer = subprocess.run(
        [*_vnu(), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(answer.stderr)["messages"]
    ours = [
        f"{m['url'].split('/site/')[-1]}:{m.get('lastLine')}: {m['message']} | {m.get('extract', '').strip()}"
        for m in messages
        if not any(
            cls in m.get("extract", "") and m["message"].startswith(start)
            for cls, start in VNU_THEME_MARKUP.items()
        )
    ]
    assert not ours, "\n".join(ours)
