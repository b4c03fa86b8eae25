"""The hand-written pages in content/: about, commitments, service flow, feedback, privacy.

Every fact these pages show that lives in catalog/platform.yml (phones, address, day counts,
commitments, builders) must be the catalog's value, so that editing platform.yml updates
the pages. The last test edits a copy of platform.yml and builds again to prove it.
"""

from __future__ import annotations

import re
import shutil
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from generator.catalog import load_catalog
from generator.schema import Platform
from generator.schema.tables import SATISFACTION_LEVELS
from tests.conftest import ROOT, SAMPLE_CATALOG, html_of

PAGES = {
    "about/": "平台简介",
    "commitments/": "服务承诺",
    "service-flow/": "服务流程",
    "feedback/": "评价与投诉",
    "privacy/": "隐私政策",
}

# The settings each page must show (rendered with data-setting by content_macros.html).
SHOWN_SETTINGS = {
    "commitments/": {"correction_days", "consultation_reply_days", "complaint_reply_days", "bad_rating_days"},
    "service-flow/": {
        "consultation_reply_days",
        "complaint_reply_days",
        "correction_days",
        "bad_rating_days",
        "upload_max_file_mb",
    },
    "feedback/": {"bad_rating_days", "complaint_reply_days", "return_visit_sample_percent"},
    "privacy/": {"upload_max_file_mb"},
}
UNITS = {
    "consultation_reply_days": "个工作日",
    "complaint_reply_days": "个工作日",
    "bad_rating_days": "个工作日",
    "correction_days": "个自然日",
    "return_visit_sample_percent": "%",
    "upload_max_file_mb": "MB",
}
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


@pytest.fixture(scope="module")
def platform() -> Platform:
    return load_catalog(SAMPLE_CATALOG).platform


def article(site: Path, url: str) -> Tag:
    found = html_of(site, url).select_one("article.md-content__inner")
    assert found is not None, url
    return found


def text_of(tag: Tag) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ", strip=True))


def cells(row: Tag) -> list[str]:
    return [text_of(cell) for cell in row.find_all(["th", "td"], recursive=False)]


def body_rows(table: Tag) -> list[Tag]:
    return table.select("tbody > tr")


# --- every page -----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_page_has_its_heading_and_description(built_site: Path, url: str, title: str) -> None:
    page = html_of(built_site, url)
    headings = page.select("article h1")
    assert [text_of(h) for h in headings] == [title]
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert len(description) >= 30 and description.endswith("。")
    assert description != html_of(built_site, "").find("meta", attrs={"name": "description"})["content"]
    assert page.title.get_text().startswith(title)


@pytest.mark.parametrize("url", PAGES)
def test_no_template_syntax_leaks(built_site: Path, url: str) -> None:
    page = html_of(built_site, url)
    assert not TEMPLATE_SYNTAX.search(page.get_text())
    for tag in page.find_all(True):
        for value in tag.attrs.values():
            for part in value if isinstance(value, list) else [value]:
                assert not TEMPLATE_SYNTAX.search(part), (url, tag.name)


@pytest.mark.parametrize("url", PAGES)
def test_headings_are_in_order(built_site: Path, url: str) -> None:
    levels = [int(h.name[1]) for h in article(built_site, url).find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels


@pytest.mark.parametrize("url", PAGES)
def test_links_resolve(built_site: Path, url: str, platform: Platform) -> None:
    """Internal links reach a built page (and the anchor on it); external ones come from the catalog."""
    allowed_external = {linked.url for linked in platform.linked_platforms}
    for link in article(built_site, url).find_all("a", href=True):
        href = link["href"]
        parts = urlsplit(href)
        if parts.scheme in ("mailto", "tel"):
            continue
        if parts.scheme in ("http", "https"):
            assert href in allowed_external, href
            continue
        assert text_of(link), href
        target = (built_site / url / unquote(parts.path)).resolve() if parts.path else built_site / url
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), (url, href)
        if parts.fragment:
            soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert soup.find(id=parts.fragment), (url, href)


# --- figures from platform.yml -----------------------------------------------------------------


def check_settings(site: Path, platform: Platform) -> None:
    for url, expected in SHOWN_SETTINGS.items():
        shown = article(site, url).select("[data-setting]")
        assert {tag["data-setting"] for tag in shown} >= expected, url
        for tag in shown:
            name = tag["data-setting"]
            value, unit = re.fullmatch(r"(\d+)\s*(\S+)", text_of(tag)).groups()
            assert int(value) == getattr(platform.settings, name), (url, name)
            assert unit == UNITS[name], (url, name)


def test_day_counts_are_the_catalog_settings(built_site: Path, platform: Platform) -> None:
    check_settings(built_site, platform)


def test_time_limit_table(built_site: Path, platform: Platform) -> None:
    table = article(built_site, "service-flow/").select_one("table#time-limit-table")
    limits = {}
    for row in body_rows(table):
        shown = row.select_one("[data-setting]")
        if shown is not None:
            limits[shown["data-setting"]] = text_of(shown)
    settings = platform.settings
    assert limits == {
        "consultation_reply_days": f"{settings.consultation_reply_days} 个工作日",
        "correction_days": f"{settings.correction_days} 个自然日",
        "complaint_reply_days": f"{settings.complaint_reply_days} 个工作日",
        "bad_rating_days": f"{settings.bad_rating_days} 个工作日",
    }


def catalog_phones() -> set[str]:
    catalog = load_catalog(SAMPLE_CATALOG)
    numbers = {phone.number for phone in catalog.platform.phones}
    numbers |= {phone.number for dept in catalog.departments.values() for phone in dept.phones}
    return numbers


def check_contact(site: Path, platform: Platform) -> None:
    contact = article(site, "about/").select_one("dl#contact")
    facts = {text_of(div.dt): div.dd for div in contact.find_all("div", recursive=False)}
    assert text_of(facts["服务大厅地址"]) == platform.address
    assert text_of(facts["邮政编码"]) == platform.postcode
    assert [s.strip() for s in facts["开放时间"].stripped_strings] == platform.hours
    links = facts["服务电话"].select('a[href^="tel:"]')
    assert [(a["href"], text_of(a)) for a in links] == [
        (f"tel:{p.number}", p.number) for p in platform.phones
    ]
    assert text_of(facts["电子邮箱"]) == platform.email


def test_about_shows_the_contact_details(built_site: Path, platform: Platform) -> None:
    check_contact(built_site, platform)


def test_every_phone_shown_is_a_catalog_phone(built_site: Path, platform: Platform) -> None:
    known = catalog_phones()
    for url in PAGES:
        for link in article(built_site, url).select('a[href^="tel:"]'):
            assert link["href"] == f"tel:{text_of(link)}", url
            assert text_of(link) in known, (url, text_of(link))
    # Complaints go to the supervision phone on the pages that invite them.
    supervision = [p.number for p in platform.phones if "投诉" in p.label]
    assert supervision
    for url in ("commitments/", "service-flow/", "feedback/"):
        shown = {text_of(a) for a in article(built_site, url).select('a[href^="tel:"]')}
        assert set(supervision) <= shown, url


def test_address_and_postcode_on_feedback_and_privacy(built_site: Path, platform: Platform) -> None:
    for url in ("feedback/", "privacy/"):
        text = text_of(article(built_site, url))
        assert platform.address in text and platform.postcode in text, url
    privacy = article(built_site, "privacy/").select_one("dl#privacy-contact")
    assert platform.email in text_of(privacy)


# --- about --------------------------------------------------------------------------------------


def test_every_builder_is_on_the_about_page(built_site: Path, platform: Platform) -> None:
    table = article(built_site, "about/").select_one("table#builders")
    rows = [cells(row) for row in body_rows(table)]
    assert rows == [[b.name, b.role or "参与建设", b.credit_code] for b in platform.builders]
    text = text_of(article(built_site, "about/"))
    assert f"采用 {platform.construction_mode} 方式建设" in text
    assert re.sub(r"\s+", " ", platform.construction_note) in text


def test_partners_offices_and_linked_platforms(built_site: Path, platform: Platform) -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    page = article(built_site, "about/")
    partners = [text_of(row.th) for row in body_rows(page.select_one("table#partner-table"))]
    assert partners == [d.name for d in catalog.departments.values() if d.kind == "合作机构"]
    offices = [text_of(row.th) for row in body_rows(page.select_one("table#offices"))]
    assert offices == [d.name for d in catalog.departments.values() if d.kind == "实施部门"]
    linked = [
        (text_of(row.th), row.th.a["href"], cells(row)[1])
        for row in body_rows(page.select_one("table#linked"))
    ]
    assert linked == [(p.name, p.url, p.level) for p in platform.linked_platforms]


# --- commitments and feedback --------------------------------------------------------------------


def test_every_commitment_is_on_the_commitments_page(built_site: Path, platform: Platform) -> None:
    page = article(built_site, "commitments/")
    headings = page.select('h2[id^="commitment-"]')
    assert [re.sub(r"^\d+\.\s*", "", text_of(h)) for h in headings] == [c.title for c in platform.commitments]
    for heading, commitment in zip(headings, platform.commitments, strict=True):
        lead = heading.find_next_sibling("p")
        assert text_of(lead) == commitment.text
        # Each known commitment is followed by what it means in practice.
        practice = lead.find_next_sibling()
        assert practice.name == "p" and text_of(practice).startswith("在实际办事中"), commitment.title
        assert practice.find_next_sibling().name == "ul", commitment.title


def test_rating_levels_are_the_five_satisfaction_levels(built_site: Path) -> None:
    table = article(built_site, "feedback/").select_one("table#rating-levels")
    rows = [cells(row) for row in body_rows(table)]
    assert [(code, level) for code, level, _ in rows] == list(SATISFACTION_LEVELS.entries.items())
    bad = [level for _, level, note in rows if note.startswith("差评")]
    assert bad == ["不满意", "非常不满意"]


def test_service_flow_has_the_five_stages(built_site: Path) -> None:
    page = article(built_site, "service-flow/")
    stages = [text_of(a.strong) for a in page.select("ol.ipps-flow a")]
    assert stages == ["服务咨询", "申请受理", "服务实施", "结果反馈", "质量监督"]
    for link in page.select("ol.ipps-flow a"):
        heading = page.find(id=link["href"].removeprefix("#"))
        assert heading is not None and heading.name == "h2"
        assert text_of(link.strong) in text_of(heading)


# --- editing platform.yml changes the pages --------------------------------------------------------


def test_editing_platform_yml_updates_the_pages(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(SAMPLE_CATALOG, catalog_dir)
    path = catalog_dir / "platform.yml"
    text = path.read_text(encoding="utf-8")
    edits = {
        "consultation_reply_days: 3": "consultation_reply_days: 2",
        "complaint_reply_days: 3": "complaint_reply_days: 4",
        "bad_rating_days: 5": "bad_rating_days: 12",
        "correction_days: 15": "correction_days: 30",
        "return_visit_sample_percent: 10": "return_visit_sample_percent: 25",
        "number: 0123-88120099": "number: 0123-88127777",
        "address: 示范市滨江区滨江大道 88 号市民服务中心 3 楼 C 区": "address: 示范市滨江区江南路 1 号政务服务中心 2 楼",
        "commitments:\n": "commitments:\n  - title: 延时服务\n    text: 对已预约的群众，下班时仍在办理的不停办，办完为止。\n",
    }
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")

    from generator.site.build import build_site

    site = build_site(
        ROOT / "mkdocs.yml", catalog=catalog_dir, site_dir=tmp_path / "site", search=False, strict=False
    )
    platform = load_catalog(catalog_dir).platform
    assert platform.settings.bad_rating_days == 12
    check_settings(site, platform)
    check_contact(site, platform)
    for url in PAGES:
        numbers = {text_of(a) for a in article(site, url).select('a[href^="tel:"]')}
        assert "0123-88120099" not in numbers, url
    for url in ("service-flow/", "feedback/", "privacy/"):
        text = text_of(article(site, url))
        assert platform.address in text and "滨江大道" not in text, url
    commitments = article(site, "commitments/")
    titles = [re.sub(r"^\d+\.\s*", "", text_of(h)) for h in commitments.select('h2[id^="commitment-"]')]
    assert titles[0] == "延时服务" and len(titles) == len(platform.commitments)
    assert "对已预约的群众，下班时仍在办理的不停办，办完为止。" in text_of(commitments)
