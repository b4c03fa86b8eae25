"""智能导办 (E.1.3, E.4.3, E.4.5): the sample guides as built pages, and walked in Chromium.

Validation of broken guides (E125–E128) is in tests/test_validation_rules.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.guidance import walk
from generator.site import urls
from tests.browser import Visit
from tests.conftest import html_of

SAMPLE_GUIDES = {"patent-application", "pledge", "infringement"}


def text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def materials_on(soup: Any) -> set[str]:
    return {row["data-material"] for row in soup.select("table.ipps-guide-materials tr[data-material]")}


def fee_totals(soup: Any) -> tuple[str, str]:
    cells = soup.select("table.ipps-table tfoot td")
    return text(cells[0]), text(cells[-1])


def test_the_sample_catalog_ships_the_three_guides(catalog: Any) -> None:
    assert set(catalog.guides) == SAMPLE_GUIDES
    assert catalog.guides["patent-application"].title == "我想申请专利（费用减缴？）"


def test_every_path_of_every_guide_is_a_page_whose_choices_lead_on(catalog: Any, built_site: Path) -> None:
    index = html_of(built_site, urls.GUIDES)
    listed = {a["href"].strip("./").split("/")[-1] for a in index.select("a.ipps-card")}
    assert listed == SAMPLE_GUIDES
    for slug, guide in catalog.guides.items():
        results = 0
        for stop in walk(slug, guide):
            soup = html_of(built_site, urls.guide(slug, stop.path()))
            answered = [text(span) for span in soup.select(".ipps-guide-answers dd [data-answer]")]
            assert answered == [a.choice.label for a in stop.answers]
            if stop.question is not None:
                links = soup.select("ul.ipps-guide-choices a[data-ipps-guide-link]")
                assert [link["data-choice"] for link in links] == [c.id for c in stop.question.choices]
                for link, choice in zip(links, stop.question.choices, strict=True):
                    target = (built_site / urls.guide(slug, stop.path())).joinpath(link["href"]).resolve()
                    assert target == (built_site / urls.guide(slug, (*stop.path(), choice.id))).resolve()
            else:
                results += 1
                assert text(soup.select_one("#result")) == stop.result.title
                names = {text(a) for a in soup.select("#items + ul a")}
                assert names == {catalog.items[s].name for s in stop.result.items}
        assert results >= 2, slug


def test_the_patent_guide_works_out_the_fee_for_the_reduction_the_answers_qualify_for(
    built_site: Path,
) -> None:
    page = html_of(built_site, urls.guide("patent-application", ("invention", "individual-low-income")))
    assert fee_totals(page) == ("3450 元", "560 元")  # 900 + 50 + 2500; 85 % off all but the 50
    assert "individual-85" not in page.text and "减缴 85%" in text(page)
    assert materials_on(page) == {
        "patent-application-guidance/draft_documents",
        "patent-fee-reduction-guidance/identity_documents",
        "patent-fee-reduction-guidance/income_proof",
    }

    page = html_of(built_site, urls.guide("patent-application", ("invention", "other-company")))
    cells = page.select("table.ipps-table tfoot td")
    assert len(cells) == 1 and text(cells[0]) == "3450 元"  # no reduction column
    assert "不适用费用减缴" in text(page)
    assert materials_on(page) == {"patent-application-guidance/draft_documents"}

    page = html_of(built_site, urls.guide("patent-application", ("utility", "joint", "joint-eligible")))
    assert fee_totals(page) == ("500 元", "150 元")  # joint applicants: 70 % off
    assert "patent-fee-reduction-guidance/tax_return" in materials_on(page)


def test_the_pledge_guide_asks_for_the_materials_the_answers_need(built_site: Path) -> None:
    shared = {
        "patent-pledge/application_form",
        "patent-pledge/pledge_contract",
        "patent-pledge/identity_documents",
    }
    page = html_of(built_site, urls.guide("pledge", ("patent", "patent-sole", "patent-self")))
    assert materials_on(page) == shared
    assert "办理上述事项不收费" in text(page)
    page = html_of(built_site, urls.guide("pledge", ("patent", "patent-co-owned", "patent-by-agent")))
    assert materials_on(page) == shared | {
        "patent-pledge/co_owner_consent",
        "patent-pledge/power_of_attorney",
    }
    actions = {text(a): a["href"] for a in page.select(".ipps-actions a")}
    assert actions["在线申请"].endswith("items/patent-pledge/#apply")
    assert actions["咨询"].endswith("items/patent-pledge/#consult")


@pytest.mark.parametrize("javascript", [False, True], ids=["plain", "script"])
def test_answering_a_guide_in_chromium(chromium: Any, site_server: str, javascript: bool) -> None:
    visit = Visit(chromium, site_server, javascript=javascript)
    try:
        page = visit.page
        visit.open(urls.GUIDES)
        page.click("a.ipps-card:has-text('我的商标/版权被侵权了')")
        page.wait_for_selector("#question")
        if javascript:
            page.evaluate("window.stayed = true")  # gone if a page is loaded instead of swapped
        for label in ("专利", "实用新型或外观设计专利", "刚发现侵权，想知道该怎么办"):
            page.click(f"ul.ipps-guide-choices a:has-text('{label}')")
        page.wait_for_selector("#result")
        assert page.url == site_server + urls.guide(
            "infringement", ("patent", "utility-or-design", "just-found")
        )
        assert page.inner_text("#result") == "您可以申请：知识产权维权援助"
        assert "专利权评价报告" in page.inner_text("table.ipps-guide-materials")  # asked for by an answer
        assert page.title().startswith("您可以申请：知识产权维权援助")
        if javascript:
            assert page.evaluate("window.stayed") is True
            assert page.evaluate("document.activeElement.id") == "result"
        # change the second answer: back at that question, the first answer kept
        page.click(".ipps-guide-answers a:has-text('修改')>>nth=1")
        page.wait_for_selector("#question")
        assert page.inner_text("#question") == "第 2 问：是哪一种专利？"
        page.click("ul.ipps-guide-choices a:has-text('发明专利')")
        page.click("ul.ipps-guide-choices a:has-text('刚发现侵权')")
        page.wait_for_selector("#result")
        assert "专利权评价报告" not in page.inner_text("table.ipps-guide-materials")
        page.go_back()
        page.wait_for_selector("#question")
        assert page.inner_text("#question") == "第 3 问：现在到了哪一步？"
        assert page.url == site_server + urls.guide("infringement", ("patent", "invention-patent"))
    finally:
        visit.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["plain", "script"])
def test_every_result_of_every_guide_is_reached_by_clicking(
    catalog: Any, chromium: Any, site_server: str, javascript: bool
) -> None:
    """Each result, from the guide's first question, by clicking the answers a person would."""
    visit = Visit(chromium, site_server, javascript=javascript)
    try:
        page = visit.page
        for slug, guide in catalog.guides.items():
            for stop in walk(slug, guide):
                if stop.result is None:
                    continue
                page.goto(site_server + urls.guide(slug), wait_until="load")
                for answer in stop.answers:
                    page.click(f"ul.ipps-guide-choices a[data-choice='{answer.choice.id}']")
                    page.wait_for_selector(
                        "#result" if answer is stop.answers[-1] else f"[data-answer='{answer.choice.id}']"
                    )
                assert page.inner_text("#result") == stop.result.title, stop.path()
                assert page.url == site_server + urls.guide(slug, stop.path())
    finally:
        visit.close()
