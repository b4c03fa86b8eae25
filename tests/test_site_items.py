"""Guide pages and the annex lists of the built sample site."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.catalog import Catalog
from generator.site import urls
from generator.site.pages.items import sections
from generator.site.site import Site
from tests.conftest import html_of


def test_every_item_has_a_guide_page_with_every_section(
    built_site: Path, catalog: Catalog, site: Site
) -> None:
    for slug, item in catalog.items.items():
        page = html_of(built_site, urls.item(slug))
        assert page.h1.get_text(strip=True) == item.name
        expected = sections(item, site.handbook_of.get(slug, ()))  # with its 咨询问答手册 entries
        for section in expected:
            heading = page.find(id=section.anchor)
            assert heading is not None and heading.name == "h2", (slug, section.anchor)
            assert heading.get_text(strip=True) == section.title
        toc = [a.get_text(strip=True) for a in page.select(".md-sidebar--secondary .md-nav__link")]
        assert toc == [s.title for s in expected], slug


def test_materials_checklist(built_site: Path, catalog: Catalog) -> None:
    item = catalog.items["patent-pledge"]
    page = html_of(built_site, urls.item("patent-pledge"))
    rows = page.select("table.ipps-materials tbody tr")
    assert [r.find("strong").get_text() for r in rows] == [m.name for m in item.materials]
    for row, material in zip(rows, item.materials, strict=True):
        assert row.find("input", type="checkbox")["aria-label"].endswith(material.name)
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        assert cells[2].startswith("必备" if material.required else "按情形提交")
        assert cells[5] == f"{material.originals} 份" and cells[6] == f"{material.copies} 份"
        links = {a.get_text(): a["href"] for a in row.select(".ipps-downloads a")}
        assert ("下载空表" in links) == bool(material.blank_form)
        assert ("查看样表" in links) == bool(material.sample_form)


def test_attachments_are_downloadable(built_site: Path, catalog: Catalog) -> None:
    page = html_of(built_site, urls.item("patent-pledge"))
    blank = page.find("a", string="下载空表")["href"]
    target = (built_site / urls.item("patent-pledge") / unquote(blank)).resolve()
    source = catalog.files_dir / catalog.items["patent-pledge"].materials[0].blank_form
    assert target.read_bytes() == source.read_bytes()


def test_process_steps_are_numbered_in_order(built_site: Path, catalog: Catalog) -> None:
    item = catalog.items["patent-pledge"]
    steps = html_of(built_site, urls.item("patent-pledge")).select("ol.ipps-steps > li > strong")
    assert [s.get_text() for s in steps] == [step.name for step in item.process]


def test_time_limits_say_when_the_law_sets_none(built_site: Path, catalog: Catalog) -> None:
    for slug, item in catalog.items.items():
        cells = {
            tr.th.get_text(): tr.td.get_text(" ", strip=True)
            for tr in html_of(built_site, urls.item(slug))
            .find(id="time-limits")
            .find_next("table")
            .find_all("tr")
        }
        if item.legal_time_limit is None:
            assert cells["法定办结时限"] == "法律法规未规定"
        else:
            assert cells["法定办结时限"].startswith(str(item.legal_time_limit.value or "即办"))


def test_fees_show_a_worked_total(built_site: Path) -> None:
    page = html_of(built_site, urls.item("patent-application-guidance"))
    table = page.find(id="fees").find_next("table")
    total, payable = (td.get_text(strip=True) for td in table.tfoot.find_all("td"))
    assert total == "3450 元"  # 900 application + 50 publication printing + 2500 examination
    assert payable == "560 元"  # 15 % of 900 and 2500, publication printing not reduced
    fee_links = [a["href"] for a in table.tbody.select("a")]
    assert fee_links[0].endswith("fees/cnipa-patent/#fee-invention-application")


def test_suspended_item_carries_a_notice(built_site: Path) -> None:
    page = html_of(built_site, urls.item("ip-subsidy-redemption"))
    notice = page.select_one(".ipps-notice")
    assert notice is not None and "暂停受理" in notice.get_text()
    assert "2027年3月1日" in notice.get_text()


def test_cancelled_item_keeps_its_page_and_points_to_its_replacement(built_site: Path) -> None:
    page = html_of(built_site, urls.item("patent-pledge-preliminary"))
    notice = page.select_one(".ipps-notice--stop")
    assert "已于2021年11月15日取消" in notice.get_text()
    link = notice.find("a")
    assert link.get_text() == "专利权质押登记"
    assert (
        (built_site / urls.item("patent-pledge-preliminary") / link["href"] / "index.html")
        .resolve()
        .is_file()
    )


def _list_rows(built_site: Path, base: str) -> list[list[str]]:
    page = html_of(built_site, base)
    return [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.select("table.ipps-list tbody tr")
    ]


@pytest.mark.parametrize(
    ("base", "standard_columns"),
    [
        (urls.ITEMS, ["序号", "事项类别", "事项名称", "服务对象", "服务内容", "服务形式", "实施部门"]),
        (
            urls.IMPLEMENTATION,
            ["序号", "事项名称", "实施部门", "流程条件", "办理方式", "进度要求", "材料要求", "监督评价"],
        ),
    ],
)
def test_lists_follow_the_annex_column_order(
    built_site: Path, catalog: Catalog, base: str, standard_columns: list[str]
) -> None:
    headers = [th.get_text(strip=True) for th in html_of(built_site, base).select("table.ipps-list thead th")]
    assert headers[: len(standard_columns)] == standard_columns
    assert all(h.endswith("*") for h in headers[len(standard_columns) :])  # the platform's own columns
    rows = _list_rows(built_site, base)
    live = [i for i in catalog.items.values() if i.status.state != "取消"]
    assert len(rows) == len(live)
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(live) + 1)]
    names = {r[headers.index("事项名称")].removesuffix(" 暂停受理") for r in rows}
    assert names == {i.name for i in live}


def test_lists_leave_out_cancelled_items_and_flag_suspended_ones(built_site: Path) -> None:
    page = html_of(built_site, urls.ITEMS)
    links = {a["href"].strip("./").split("/")[-1]: a for a in page.select("table.ipps-list tbody a")}
    assert "patent-pledge-preliminary" not in links
    suspended = links["ip-subsidy-redemption"].find_parent("td")
    assert "暂停受理" in suspended.get_text()


def test_list_filters_name_every_facet_value(built_site: Path, catalog: Catalog) -> None:
    form = html_of(built_site, urls.ITEMS).select_one("form[data-ipps-filters]")
    selects = {
        s["name"]: [o["value"] for o in s.find_all("option") if o["value"]] for s in form.find_all("select")
    }
    assert set(selects) == {"subject", "object", "nature", "department"}
    assert set(selects["department"]) == {
        d
        for i in catalog.items.values()
        if i.status.state != "取消"
        for d in (i.department, *i.co_departments)
    }
    assert "patent" in selects["subject"] and "value-added" in selects["nature"]
