"""服务评价结果 (T/CIPS 007—2024 9.3 d): ``ipps results export`` writes ``catalog/results.yml``
from a real store, the catalog checks it, and ``ipps build`` publishes it on the 服务评价结果
page and on each guide page.

The records are those of tests/test_report.py (the third quarter of 2026, figures taken on
15 October), whose expected figures are worked out by hand there; the published figures must
be the same. Only the measures differ: published ones need real measure numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from forms_api.cli.main import main
from forms_api.domain.faq import REDACTED
from generator.catalog import check_catalog, load_catalog
from generator.schema.indicators import one_place, value_of
from generator.site import urls
from generator.site.build import build_site
from generator.site.pages.results import target_text
from tests.conftest import ROOT, SAMPLE_CATALOG, html_of
from tests.test_report import FROM, ITEMS, RECORDS, SUMMARY, TO, L, P, Q, at, store_with, text
from tests.test_report import workdir as workdir  # the fixture: cwd tmp_path, today 15 October

PHONE = "13912345678"

MEASURES = [
    # Completed in the period; its problem names a phone number, which is not published.
    {"kind": "measure", "measure_no": "GJ20260725-000001", "title": "压缩专利权质押登记审核环节",
     "problem": f"差评反映办理太慢（评价人电话 {PHONE}）", "source": "评价", "owner": "market-regulation",
     "item": P, "created_at": at("07-25"), "updated_at": at("09-20"), "due_date": "2026-09-30",
     "status": "已完成", "completed_at": at("09-20"), "effect": "平均办理时长由 5 个工作日缩短至 3 个工作日",
     "public": True},
    # Under way at the end of the period.
    {"kind": "measure", "measure_no": "GJ20260926-000001", "title": "核对并更新各事项的材料清单",
     "problem": "投诉反映材料清单与窗口要求不一致", "source": "投诉", "owner": "public-service-center",
     "created_at": at("09-26"), "updated_at": at("09-26"), "due_date": "2026-10-31", "status": "进行中",
     "public": True},
    # Not public.
    {"kind": "measure", "measure_no": "GJ20260801-000001", "title": "内部培训", "source": "回访",
     "owner": "market-regulation", "created_at": at("08-01"), "due_date": "2026-08-31", "status": "已完成",
     "completed_at": at("08-20"), "effect": "已培训", "public": False},
    # Completed before the period: not this period's.
    {"kind": "measure", "measure_no": "GJ20260301-000001", "title": "上期已完成的措施", "source": "报告",
     "owner": "market-regulation", "created_at": at("03-01"), "due_date": "2026-04-30", "status": "已完成",
     "completed_at": at("04-28"), "effect": "已完成", "public": True},
    # A state the catalog does not know (changed by hand in the store): left out, and said so.
    {"kind": "measure", "measure_no": "GJ20260805-000001", "title": "暂缓的措施", "source": "评价",
     "owner": "market-regulation", "created_at": at("08-05"), "due_date": "2026-09-30", "status": "暂缓",
     "public": True},
]  # fmt: skip

RESULT_RECORDS = {**RECORDS, "measure": MEASURES}
SLUGS = {P["code"]: P["slug"], L["code"]: L["slug"], Q["code"]: Q["slug"]}


def counts(basis: str) -> tuple[int, int]:
    """(numerator, denominator) of a report basis: ``6/9`` or ``3 件共 9 个工作日``."""
    if match := re.fullmatch(r"(\d+)/(\d+)", basis):
        return int(match[1]), int(match[2])
    match = re.fullmatch(r"(\d+) 件共 (\d+) 个工作日", basis)
    assert match, basis
    return int(match[2]), int(match[1])


def export(catalog_dir: Path, data_dir: Path, *extra: str, start: str = FROM, end: str = TO) -> int:
    return main(
        [
            *("results", "export", "--from", start, "--to", end),
            *("--data-dir", str(data_dir), "--catalog-dir", str(catalog_dir), *extra),
        ]
    )


@pytest.fixture
def catalog_copy(workdir: Path) -> Path:
    copy = workdir / "catalog"
    shutil.copytree(SAMPLE_CATALOG, copy)
    return copy


@pytest.fixture
def exported(catalog_copy: Path, workdir: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The results of Q3 2026 over RESULT_RECORDS, exported into the catalog copy; the file's
    data, with the command's output under ``"_out"``."""
    store_with(workdir / "var" / "store", RESULT_RECORDS)
    assert export(catalog_copy, workdir / "var") == 0
    data = yaml.safe_load((catalog_copy / "results.yml").read_text(encoding="utf-8"))
    return {**data, "_out": capsys.readouterr().out}


@pytest.fixture
def site(exported: dict[str, Any], catalog_copy: Path, workdir: Path) -> Iterator[Path]:
    """The sample site built from the catalog copy with the exported results."""
    yield build_site(ROOT / "mkdocs.yml", catalog=catalog_copy, site_dir=workdir / "site", search=False)


# --- the export ------------------------------------------------------------------------------


def test_the_file_names_its_schema_and_period_and_passes_the_catalog_checks(
    exported: dict[str, Any], catalog_copy: Path
) -> None:
    first = (catalog_copy / "results.yml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schema/results.schema.json"
    assert (exported["start"], exported["end"], exported["as_of"]) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 15),
    )
    _, problems = check_catalog(catalog_copy)
    assert problems == []


def test_every_public_indicator_is_published_overall_with_the_reports_counts(
    exported: dict[str, Any], catalog_copy: Path
) -> None:
    catalog = load_catalog(catalog_copy)
    public = [i.id for i in catalog.indicators if i.public]
    assert [f["indicator"] for f in exported["figures"]] == public
    assert "one-time-notification-rate" not in public  # the sample catalog keeps one internal
    for figure in exported["figures"]:
        assert (figure["numerator"], figure["denominator"]) == counts(SUMMARY[figure["indicator"]][1])


def test_per_item_figures_for_the_items_with_records(exported: dict[str, Any], catalog_copy: Path) -> None:
    catalog = load_catalog(catalog_copy)
    per_item = [i.id for i in catalog.indicators if i.per_item]
    assert per_item == ["satisfaction-rate", "on-time-completion-rate"]
    published = {entry["item"]: entry["figures"] for entry in exported["items"]}
    assert list(published) == [s for s in catalog.items if s in SLUGS.values()]  # catalog order
    for code, expected in ITEMS.items():
        figures = {f["indicator"]: (f["numerator"], f["denominator"]) for f in published[SLUGS[code]]}
        assert figures == {i: counts(expected[i][1]) for i in per_item}


def test_only_public_measures_of_the_period_are_published_without_personal_data(
    exported: dict[str, Any],
) -> None:
    measures = {m["measure_no"]: m for m in exported["measures"]}
    assert list(measures) == ["GJ20260725-000001", "GJ20260926-000001"]
    done = measures["GJ20260725-000001"]
    assert done == {
        "measure_no": "GJ20260725-000001",
        "title": "压缩专利权质押登记审核环节",
        "problem": f"差评反映办理太慢（评价人电话 {REDACTED}）",
        "source": "评价",
        "owner": "market-regulation",
        "item": "patent-pledge",
        "due_date": dt.date(2026, 9, 30),
        "status": "已完成",
        "effect": "平均办理时长由 5 个工作日缩短至 3 个工作日",
        "updated": dt.date(2026, 9, 20),
    }
    assert "effect" not in measures["GJ20260926-000001"] and "item" not in measures["GJ20260926-000001"]
    out = exported["_out"]
    assert "改进措施 GJ20260805-000001（来源「评价」或进展「暂缓」无法识别），未公示" in out
    assert "有 1 处电话、证件号或电子邮箱，已隐去" in out
    assert "公开的改进措施 2 项" in out


def test_exporting_again_overwrites_the_file(
    exported: dict[str, Any], catalog_copy: Path, workdir: Path
) -> None:
    assert export(catalog_copy, workdir / "var", start="2026-08-01", end="2026-08-31") == 0
    again = yaml.safe_load((catalog_copy / "results.yml").read_text(encoding="utf-8"))
    assert (again["start"], again["end"]) == (dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    # August: PJ-3 (2), PJ-4 (4), PJ-7 (2)
    satisfaction = next(f for f in again["figures"] if f["indicator"] == "satisfaction-rate")
    assert (satisfaction["numerator"], satisfaction["denominator"]) == (2, 3)


def test_a_broken_results_file_is_replaced_rather_than_blocking_the_export(
    catalog_copy: Path, workdir: Path
) -> None:
    (catalog_copy / "results.yml").write_text("start: 2026-07-01\nfigures: [\n", encoding="utf-8")
    assert check_catalog(catalog_copy)[1] != []
    store_with(workdir / "var" / "store", RESULT_RECORDS)
    assert export(catalog_copy, workdir / "var") == 0
    assert check_catalog(catalog_copy)[1] == []


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("--from", "2026-13-01", "--to", TO), 2, "--from 的日期「2026-13-01」无效"),
        (("--from", TO, "--to", FROM), 2, "开始日期 2026-09-30（--from）晚于结束日期 2026-07-01（--to）"),
    ],
)
def test_dates_that_cannot_be_used(
    catalog_copy: Path,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple,
    status: int,
    message: str,
) -> None:
    command = [
        "results",
        "export",
        *args,
        "--data-dir",
        str(workdir / "var"),
        "--catalog-dir",
        str(catalog_copy),
    ]
    assert main(command) == status
    assert message in capsys.readouterr().err
    assert not (catalog_copy / "results.yml").exists()


def test_no_store_is_refused_and_nothing_is_written(
    catalog_copy: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(catalog_copy, workdir / "nowhere") == 1
    assert "没有找到办件数据" in capsys.readouterr().err
    assert not (catalog_copy / "results.yml").exists()


def test_a_catalog_without_public_indicators_has_nothing_to_publish(
    catalog_copy: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_with(workdir / "var" / "store", RESULT_RECORDS)
    indicators = catalog_copy / "indicators.yml"
    source = indicators.read_text(encoding="utf-8")
    source = (
        source.replace("    public: true\n", "")
        .replace("    per_item: true\n", "")
        .replace("    guide: true\n", "")
    )
    indicators.write_text(source, encoding="utf-8")
    assert export(catalog_copy, workdir / "var") == 1
    assert "没有公开（public: true）的指标" in capsys.readouterr().err
    assert not (catalog_copy / "results.yml").exists()


# --- the catalog checks a hand-edited file -------------------------------------------------------

GOOD = """\
start: 2026-07-01
end: 2026-09-30
as_of: 2026-10-15
figures:
  - indicator: satisfaction-rate
    numerator: 6
    denominator: 9
items:
  - item: patent-pledge
    figures:
      - indicator: satisfaction-rate
        numerator: 2
        denominator: 3
measures:
  - measure_no: GJ20260725-000001
    title: 压缩审核环节
    source: 评价
    owner: market-regulation
    due_date: 2026-09-30
    status: 进行中
    updated: 2026-09-20
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "code", "message"),
    [
        ("  - indicator: satisfaction-rate\n    numerator: 6", "  - indicator: satisfactoin-rate\n    numerator: 6",
         5, "E124", "指标「satisfactoin-rate」不在 indicators.yml 中，是否应为「satisfaction-rate」？"),
        ("  - indicator: satisfaction-rate\n    numerator: 6", "  - indicator: one-time-notification-rate\n    numerator: 6",
         5, "E124", "指标「一次性告知率」不公开（public 不是 true），不能公示"),
        ("      - indicator: satisfaction-rate", "      - indicator: bad-rating-rate",
         11, "E124", "指标「差评率」不按事项公示（per_item 不是 true），不能列在事项下"),
        ("numerator: 6\n", "numerator: 10\n", 6, "E124", "指标「满意率」的分子（10）大于分母（9）"),
        ("    denominator: 9\n", "", 5, "E124", "指标「满意率」须填写分母（统计期内没有数据时填 0）"),
        ("  - item: patent-pledge", "  - item: patent-pledges", 9, "E106", "评价结果的事项「patent-pledges」"),
        ("owner: market-regulation", "owner: market", 18, "E103", "改进措施的责任单位「market」不在 departments.yml 中"),
        ("end: 2026-09-30", "end: 2026-06-30", 2, "E109", "统计期结束日期（2026-06-30）早于开始日期（2026-07-01）"),
        ("status: 进行中", "status: 暂缓", 20, "E004", "不在改进措施进展代码表中"),
    ],
)  # fmt: skip
def test_a_hand_edited_file_is_checked_with_file_and_line(
    catalog_copy: Path, old: str, new: str, line: int, code: str, message: str
) -> None:
    (catalog_copy / "results.yml").write_text(GOOD.replace(old, new), encoding="utf-8")
    _, problems = check_catalog(catalog_copy, display_root=catalog_copy.parent)
    assert [(p.path, p.line, p.code) for p in problems] == [("catalog/results.yml", line, code)]
    assert message in problems[0].message


def test_the_good_file_passes(catalog_copy: Path) -> None:
    (catalog_copy / "results.yml").write_text(GOOD, encoding="utf-8")
    assert check_catalog(catalog_copy)[1] == []


# --- the published pages ---------------------------------------------------------------------


def test_the_results_page_shows_the_overall_figures_against_their_targets(site: Path) -> None:
    page = html_of(site, urls.RESULTS)
    assert text(page.select_one("[data-results-period]")).startswith(
        "统计期：2026年7月1日至2026年9月30日，数据截至2026年10月15日。"
    )
    rows = {
        row["data-indicator"]: [text(cell) for cell in row.select("th, td")]
        for row in page.select("table[data-results=overall] tbody tr")
    }
    assert rows["satisfaction-rate"] == ["满意率", "66.7%", "9 件中 6 件", "不低于 95%", "未达到目标"]
    assert rows["average-handling-time"] == [
        "平均办理时长（工作日）",
        "3.0 个工作日",
        "共 3 件",
        "不超过 5 个工作日",
        "达到目标",
    ]
    assert rows["complaint-reply-timeliness-rate"][1:3] == ["33.3%", "3 件中 1 件"]
    assert "one-time-notification-rate" not in rows


def test_the_results_page_lists_each_items_satisfaction_and_on_time_rate(site: Path) -> None:
    page = html_of(site, urls.RESULTS)
    header = [text(th) for th in page.select("table[data-results=items] thead th")]
    assert header == ["服务事项", "满意率", "按时办结率"]
    rows = {
        row["data-item"]: {td["data-indicator"]: text(td) for td in row.select("td")}
        for row in page.select("table[data-results=items] tbody tr")
    }
    assert rows["patent-pledge"] == {
        "satisfaction-rate": "66.7% （3 件中 2 件）",
        "on-time-completion-rate": "50.0% （2 件中 1 件）",
    }
    assert rows["ip-information-query"]["on-time-completion-rate"] == "暂无数据"
    link = page.select_one("tr[data-item=patent-pledge] th a")
    assert link.get_text(strip=True) == "专利权质押登记" and link["href"].endswith("items/patent-pledge/")


def test_the_results_page_publishes_the_measures_under_way_first(site: Path) -> None:
    page = html_of(site, urls.RESULTS)
    sections = page.select("section[data-measure]")
    assert [s["data-measure"] for s in sections] == ["GJ20260926-000001", "GJ20260725-000001"]
    facts = {text(d.dt): text(d.dd) for d in sections[1].select("dl div")}
    assert facts == {
        "发现的问题": "差评反映办理太慢（评价人电话〔已隐去〕）",
        "责任单位": "示范市市场监督管理局（示范市知识产权局）",
        "相关事项": "专利权质押登记",
        "完成期限": "2026年9月30日",
        "实施效果": "平均办理时长由 5 个工作日缩短至 3 个工作日",
        "更新日期": "2026年9月20日",
    }
    assert "已完成" in text(sections[1].select_one(".ipps-badges"))
    assert PHONE not in page.get_text()


def test_each_guide_page_shows_its_items_satisfaction(site: Path) -> None:
    pledge = html_of(site, urls.item("patent-pledge")).select_one(".ipps-item-evaluation")
    assert text(pledge.dt) == "服务评价"
    shown = pledge.select_one("[data-indicator=satisfaction-rate]")
    assert text(shown) == "满意率 66.7% （3 件中 2 件）"
    assert "统计期 2026年7月1日至2026年9月30日" in text(pledge)
    assert pledge.select_one(f"a[href$='{urls.RESULTS}']") is not None
    # an item without ratings in the period says so rather than showing nothing
    other = next(s for s in load_catalog(SAMPLE_CATALOG).items if s not in SLUGS.values())
    quiet = html_of(site, urls.item(other)).select_one(
        ".ipps-item-evaluation [data-indicator=satisfaction-rate]"
    )
    assert text(quiet) == "满意率 暂无数据"


def test_without_published_results_the_page_says_so_and_guides_show_nothing(built_site: Path) -> None:
    assert not (SAMPLE_CATALOG / "results.yml").exists()
    page = html_of(built_site, urls.RESULTS)
    assert text(page.select_one("[data-results-period]")) == "暂未公布服务评价结果。"
    assert page.select("table[data-results]") == []
    assert html_of(built_site, urls.item("patent-pledge")).select_one(".ipps-item-evaluation") is None
    # the page is in the navigation, under 信息公开
    nav = [text(a) for a in page.select(".md-nav a")]
    assert "服务评价结果" in nav


def test_the_results_page_works_in_a_browser(site: Path, chromium: Any) -> None:
    from tests.browser import Visit, serve_directory

    with serve_directory(site) as base:
        tab = Visit(chromium, base)
        try:
            tab.open(urls.RESULTS)
            table = tab.page.locator("table[data-results=items]")
            assert table.is_visible()
            assert "66.7%" in table.locator("tr[data-item=patent-pledge]").inner_text()
            tab.page.screenshot(path=str(ROOT / "var" / "screenshots" / "results.png"), full_page=True)
            tab.open(urls.item("patent-pledge"))
            line = tab.page.locator(".ipps-item-evaluation")
            line.scroll_into_view_if_needed()
            assert line.is_visible() and "满意率 66.7%" in line.inner_text()
            tab.page.locator("#contacts + .ipps-facts").screenshot(
                path=str(ROOT / "var" / "screenshots" / "guide-rating.png")
            )
            assert tab.external() == []
        finally:
            tab.close()


# --- how values and targets are written -------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "numerator", "denominator", "value"),
    [
        ("ratio", 6, 9, pytest.approx(66.6667, abs=1e-4)),
        ("ratio", 0, 0, None),
        ("average", 9, 3, 3.0),
        ("count", 4, None, 4.0),
    ],
)
def test_value_of(form: str, numerator: int, denominator: int | None, value: float | None) -> None:
    assert value_of(form, numerator, denominator) == value


def test_one_place_rounds_half_up() -> None:
    assert [one_place(v) for v in (2.25, 66.66666, 0.05, 100.0)] == ["2.3", "66.7", "0.1", "100.0"]


def test_target_text() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    found = {i.id: target_text(i) for i in catalog.indicators}
    assert found["satisfaction-rate"] == "不低于 95%"
    assert found["bad-rating-rate"] == "不高于 2%"
    assert found["average-handling-time"] == "不超过 5 个工作日"
