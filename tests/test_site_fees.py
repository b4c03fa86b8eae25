"""The fee standard pages (T/CIPS 007 8.3.2 d) of the built sample site, against the catalog."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator import feecalc
from generator.catalog import Catalog
from generator.site import urls
from generator.site.pages import fees as fee_pages
from generator.site.render import cn_date, make_environment, money, render
from generator.site.site import Site
from tests.conftest import html_of


def resolve(page_url: str, href: str) -> tuple[str, str]:
    """A relative link on the page at ``page_url`` as (site URL of the target, fragment)."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    target = posixpath.normpath(posixpath.join(page_url or ".", path)) if path else page_url.rstrip("/")
    target = "" if target == "." else target
    if path.endswith("/") or not path:
        target = f"{target}/" if target else ""
    return target, parts.fragment


def built_file(site_dir: Path, url: str) -> Path:
    return site_dir / url / "index.html" if url == "" or url.endswith("/") else site_dir / url


def referring(catalog: Catalog, standard_id: str) -> list[str]:
    """Slugs of the items in the lists whose fees refer to ``standard_id``, in list order (序号)."""
    found = []
    for entry in Site(catalog).listed:
        slug, item = entry.slug, entry.item
        assert item.status.state != "取消"
        refs = [line.fee for line in item.fees.items] + ([item.fees.reduction] if item.fees.reduction else [])
        if any(ref.partition("/")[0] == standard_id for ref in refs):
            found.append(slug)
    return found


def text(tag) -> str:
    return tag.get_text(" ", strip=True)


# --- the index --------------------------------------------------------------------------------


def test_index_lists_every_standard(built_site: Path, catalog: Catalog) -> None:
    page = html_of(built_site, urls.FEES)
    assert page.h1.get_text(strip=True) == "收费标准"
    rows = page.select("table.ipps-fee-standards tbody tr")
    assert [row["id"] for row in rows] == [f"standard-{stem}" for stem in catalog.fee_standards]
    for row, (stem, standard) in zip(rows, catalog.fee_standards.items(), strict=True):
        link = row.th.a
        assert link.get_text(strip=True) == standard.name
        assert resolve(urls.FEES, link["href"]) == (urls.fee_standard(stem), "")
        cells = [text(td) for td in row.find_all("td")]
        assert cells[:4] == [
            standard.issuer,
            cn_date(standard.effective_date),
            cn_date(standard.verified_on),
            f"{len(standard.fees)} 项",
        ]
        linked = [resolve(urls.FEES, a["href"])[0] for a in row.find_all("td")[-1].select("li a")]
        expected = referring(catalog, stem)
        assert expected, stem
        assert linked == [urls.item(slug) for slug in expected][: fee_pages.INDEX_ITEMS]


def test_index_says_what_is_free_and_quotes_the_catalog(built_site: Path, catalog: Catalog) -> None:
    section = html_of(built_site, urls.FEES).find(id="centre")
    assert section.name == "h2"
    listed = [item for item in catalog.items.values() if item.status.state != "取消"]
    free = sum(1 for item in listed if item.fees.free)
    summary = section.find_next("p")
    assert summary.strong.get_text(strip=True) == f"{free} 项不收取任何费用"
    assert f"{len(listed) - free} 项涉及上述收费标准规定的费用" in text(summary)
    notes = [text(li) for li in summary.find_next("ul").find_all("li")]
    for note, standard in zip(notes, catalog.fee_standards.values(), strict=True):
        assert note.startswith(standard.name) and note.endswith(standard.currency_note)
    # the fee notes of the charging items: what the centre itself charges, in the editors' words
    table = section.find_next("table")
    quoted = {
        resolve(urls.FEES, tr.td.a["href"])[0]: text(tr.find_all("td")[1])
        for tr in table.tbody.find_all("tr")
    }
    charging = {
        urls.item(slug): item.fees.note
        for slug, item in catalog.items.items()
        if item in listed and not item.fees.free
    }
    assert quoted == charging


# --- one standard -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["cnipa-patent", "cnipa-trademark"])
def test_standard_page_shows_every_fee(built_site: Path, catalog: Catalog, stem: str) -> None:
    standard = catalog.fee_standards[stem]
    page = html_of(built_site, urls.fee_standard(stem))
    assert page.h1.get_text(strip=True) == standard.name
    facts = {
        dt.get_text(strip=True): text(dd)
        for dt, dd in zip(page.select(".ipps-facts dt"), page.select(".ipps-facts dd"), strict=True)
    }
    assert facts["收费单位"] == standard.issuer
    assert facts["生效日期"] == cn_date(standard.effective_date)
    assert facts["核对日期"] == cn_date(standard.verified_on)
    assert page.find(id="basic").find_next("dl").find("a", href=standard.source_url) is not None
    basis = [text(li) for li in page.find(id="basis").find_next("ul").find_all("li")]
    assert len(basis) == len(standard.basis)
    for shown, source in zip(basis, standard.basis, strict=True):
        assert shown.startswith(source.title)
        expected = (
            source.title
            + (f"（{source.document_no}）" if source.document_no else "")
            + (source.articles or "")
        )
        assert shown == expected
    assert text(page.select_one(".ipps-notice")) == standard.currency_note

    rows = page.select("table.ipps-fees tbody tr")
    assert [row["id"] for row in rows] == [f"fee-{fee.id}" for fee in standard.fees]
    for row, fee in zip(rows, standard.fees, strict=True):
        assert row.th.get_text(strip=True) == fee.name
        _, unit, conditions, note = (text(td) for td in row.find_all("td"))
        if fee.tiers:
            expected = [
                f"{b.span} {'不收费' if b.free else money(b.amount) + '/' + fee.unit}"
                for b in feecalc.bands(fee)
            ]
            assert [text(li) for li in row.select("ul.ipps-bands li")] == expected
        else:
            assert row.td.strong.get_text(strip=True) == money(fee.amount)
            if fee.online_amount is not None:
                assert text(row.select_one(".ipps-online")) == f"网上申请 {money(fee.online_amount)}"
        assert unit == f"每{fee.unit}"
        assert conditions == (fee.conditions or "")
        if fee.late_fee:
            assert text(row.select_one(".ipps-late-fee")) == f"滞纳金： {fee.late_fee}"
        for part in (fee.note, fee.late_fee):
            if part:
                assert part in note


def test_patent_amounts(built_site: Path) -> None:
    page = html_of(built_site, urls.fee_standard("cnipa-patent"))
    application = page.find(id="fee-invention-application")
    assert application.td.strong.get_text(strip=True) == "900 元"
    annual = [text(li) for li in page.find(id="fee-invention-annual").select("ul.ipps-bands li")]
    assert annual == [
        "第 1—3 年 900 元/年",
        "第 4—6 年 1200 元/年",
        "第 7—9 年 2000 元/年",
        "第 10—12 年 4000 元/年",
        "第 13—15 年 6000 元/年",
        "第 16—20 年 8000 元/年",
    ]
    description = [text(li) for li in page.find(id="fee-description-surcharge").select("ul.ipps-bands li")]
    assert description == ["第 1—30 页 不收费", "第 31—300 页 50 元/页", "第 301 页起 100 元/页"]
    claims = [text(li) for li in page.find(id="fee-claims-surcharge").select("ul.ipps-bands li")]
    assert claims == ["第 1—10 项 不收费", "第 11 项起 150 元/项"]


def test_reductions_are_explained_with_an_example(built_site: Path, catalog: Catalog) -> None:
    standard = catalog.fee_standards["cnipa-patent"]
    page = html_of(built_site, urls.fee_standard("cnipa-patent"))
    assert page.find(id="reductions").name == "h2"
    for reduction in standard.reductions:
        heading = page.find(id=f"reduction-{reduction.id}")
        assert (
            heading.name == "h3"
            and reduction.name in text(heading)
            and f"{reduction.percent_off}%" in text(heading)
        )
        facts = heading.find_next("dl")
        assert reduction.conditions in text(facts)
        assert f"按全额的 {100 - reduction.percent_off}% 缴纳" in text(facts)
        if reduction.note:
            assert reduction.note in text(facts)
        rows = page.find(id=f"example-{reduction.id}").tbody.find_all("tr")
        assert [row["data-fee"] for row in rows] == reduction.applies_to
        for row in rows:
            fee = standard.fee(row["data-fee"])
            assert fee is not None
            assert resolve(urls.fee_standard("cnipa-patent"), row.th.a["href"]) == (
                urls.fee_standard("cnipa-patent"),
                f"fee-{fee.id}",
            )
            full, saved, payable = (text(td) for td in row.find_all("td", class_="ipps-num"))
            amount = feecalc.unit_amount(fee, fee.tiers[0].start) if fee.tiers else fee.amount
            assert full == money(amount)
            assert payable == money(feecalc.reduced(amount, reduction))
            assert saved == money(amount - feecalc.reduced(amount, reduction))
    example = page.find(id="example-individual-85").find("tr", attrs={"data-fee": "invention-application"})
    assert [text(td) for td in example.find_all("td", class_="ipps-num")] == ["900 元", "765 元", "135 元"]
    annual = page.find(id="example-individual-85").find("tr", attrs={"data-fee": "invention-annual"})
    assert text(annual.find_all("td")[0]) == "第 1—3 年，每年"
    assert page.find(id="reduction-individual-85") is not None
    trademark = html_of(built_site, urls.fee_standard("cnipa-trademark"))
    assert trademark.find(id="reductions") is None  # no reductions: no empty section


@pytest.mark.parametrize("stem", ["cnipa-patent", "cnipa-trademark"])
def test_items_referring_to_the_standard_are_listed(built_site: Path, catalog: Catalog, stem: str) -> None:
    url = urls.fee_standard(stem)
    page = html_of(built_site, url)
    assert page.find(id="items").name == "h2"
    rows = page.select("table.ipps-fee-referrals tbody tr")
    assert [resolve(url, row.td.a["href"])[0] for row in rows] == [
        urls.item(s) for s in referring(catalog, stem)
    ]
    for row, slug in zip(rows, referring(catalog, stem), strict=True):
        item = catalog.items[slug]
        fees_cell = row.find_all("td")[1]
        linked = [resolve(url, a["href"])[1] for a in fees_cell.find_all("a")]
        expected = [
            f"fee-{line.fee.partition('/')[2]}" for line in item.fees.items if line.fee.startswith(f"{stem}/")
        ]
        if item.fees.reduction and item.fees.reduction.startswith(f"{stem}/"):
            expected.append(f"reduction-{item.fees.reduction.partition('/')[2]}")
        assert linked == list(dict.fromkeys(expected))
        assert text(row.find_all("td")[2]) == (item.fees.common_case or "")
    assert page.select(".ipps-pager") == []  # the sample fits on one page


def test_cancelled_items_are_not_listed_but_their_links_still_work(
    built_site: Path, catalog: Catalog
) -> None:
    cancelled = {urls.item(s) for s, i in catalog.items.items() if i.status.state == "取消"}
    for url in [urls.FEES, *(urls.fee_standard(s) for s in catalog.fee_standards)]:
        page = html_of(built_site, url)
        linked = {resolve(url, a["href"])[0] for a in page.select("article a[href]")}
        assert not linked & cancelled


# --- links ------------------------------------------------------------------------------------


def test_every_fee_anchor_linked_from_an_item_page_exists(built_site: Path, catalog: Catalog) -> None:
    checked = 0
    for slug in catalog.items:
        page_url = urls.item(slug)
        for a in html_of(built_site, page_url).select("article a[href]"):
            target, fragment = resolve(page_url, a["href"])
            if not target.startswith(urls.FEES) or urlsplit(a["href"]).scheme:
                continue
            path = built_file(built_site, target)
            assert path.is_file(), (slug, a["href"])
            if fragment:
                assert html_of(built_site, target).find(id=fragment) is not None, (slug, a["href"])
                checked += 1
    # every fee the sample items refer to
    expected = sum(len(item.fees.items) for item in catalog.items.values())
    assert checked >= expected > 0


def test_every_internal_link_on_the_fee_pages_resolves(built_site: Path, catalog: Catalog) -> None:
    for url in [urls.FEES, *(urls.fee_standard(s) for s in catalog.fee_standards)]:
        page = html_of(built_site, url)
        for a in page.select("article a[href]"):
            href = a["href"]
            if urlsplit(href).scheme:
                continue
            target, fragment = resolve(url, href)
            assert built_file(built_site, target).is_file(), (url, href)
            if fragment:
                assert html_of(built_site, target).find(id=fragment) is not None, (url, href)


def test_table_of_contents_matches_the_sections(built_site: Path) -> None:
    page = html_of(built_site, urls.fee_standard("cnipa-patent"))
    toc = [a.get_text(strip=True) for a in page.select(".md-sidebar--secondary .md-nav__link")]
    assert toc == ["基本信息", "收费项目", "费用减缴", "引用本标准的事项"]
    for anchor in ("basic", "fees", "reductions", "items"):
        assert page.find(id=anchor).name == "h2"


# --- pages that do not grow with the catalog -------------------------------------------------


def test_long_lists_of_referring_items_are_paginated(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fee_pages, "PER_PAGE", 1)
    site = Site(catalog)
    generated = {page.url: page for page in fee_pages.pages(site)}
    count = len(referring(catalog, "cnipa-patent"))
    assert count > 1
    base = urls.fee_standard("cnipa-patent")
    for number in range(1, count + 1):
        page = generated[urls.paged(base, number)]
        context = page.context()
        assert len(context["referrals"]) == 1 and context["referral_count"] == count
        assert context["pages_total"] == count
        assert page.searchable == (number == 1)
    assert urls.paged(base, count + 1) not in generated
    # page 2 shows only the list, links back to the standard and pages through the rest
    second = generated[urls.paged(base, 2)]
    globals_ = {"site": site, "platform": site.platform, "catalog": catalog}
    body = BeautifulSoup(
        render(make_environment(), second.template, second.url, {**globals_, **second.context()}),
        "html.parser",
    )
    assert body.h1.get_text(strip=True) == f"{catalog.fee_standards['cnipa-patent'].name}：引用本标准的事项"
    assert [s.anchor for s in second.sections] == ["items"] and body.find(id="items") is not None
    assert body.find(id="fees") is None and body.find(id="reductions") is None
    assert len(body.select("table.ipps-fee-referrals tbody tr")) == 1
    pager = [resolve(second.url, a["href"])[0] for a in body.select(".ipps-pager a")]
    assert pager == [urls.paged(base, n) for n in range(1, count + 1) if n != 2]
    for a in body.select("table.ipps-fee-referrals a"):
        target, fragment = resolve(second.url, a["href"])
        assert target == base if fragment else target.startswith(urls.ITEMS)
    monkeypatch.setattr(fee_pages, "INDEX_ITEMS", 1)
    index = generated[urls.FEES].context()
    patent = next(row for row in index["standards"] if row["id"] == "cnipa-patent")
    assert len(patent["referrals"]) == 1 and patent["referral_count"] == count
