"""信息公示专区 (F.4.3): the built page, and the service filling in recent applications."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from forms_api.domain.disclosure import mask_receipt
from forms_api.web.disclosure import END, START
from generator.site import urls
from tests.api import JSON, consultation, pledge_fields, pledge_files

MASKED = re.compile(r"SQ\d{8}-\*\*\*\d{3}")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def table_rows(page: BeautifulSoup) -> list[list[str]]:
    return [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in page.select("tbody tr")]


def test_mask_receipt_keeps_kind_date_and_last_three_digits() -> None:
    assert mask_receipt("SQ20261124-000123") == "SQ20261124-***123"
    assert mask_receipt("garbage") == "***"


def test_the_built_page_is_in_the_navigation_and_says_when_the_list_is_unavailable(
    built_site: Path,
) -> None:
    html = (built_site / urls.DISCLOSURE / "index.html").read_text(encoding="utf-8")
    assert START in html and END in html
    page = soup(html)
    assert page.h1.get_text(strip=True) == "信息公示"
    assert "暂时无法显示" in page.select_one(".ipps-notice").get_text()
    assert page.select("tbody tr") == []
    home = soup((built_site / "index.html").read_text(encoding="utf-8"))
    assert any(
        a["href"].rstrip("/").endswith("disclosure") for a in home.select(".md-sidebar--primary a[href]")
    )


def test_no_applications_yet(api: Any) -> None:
    page = soup(api.get("/" + urls.DISCLOSURE).text)
    assert "目前没有需要公示的网上申请" in page.get_text()


def test_recent_applications_are_listed_newest_first_without_personal_data(api: Any) -> None:
    receipts = []
    for _ in range(2):
        answer = api.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
        assert answer.status_code == 201
        receipts.append(answer.json())
    api.post("/api/consultations", json=consultation(), headers=JSON)  # not an application: not listed

    answer = api.get("/" + urls.DISCLOSURE)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"
    page = soup(answer.text)
    assert page.h1.get_text(strip=True) == "信息公示"
    assert page.select_one(".md-header") is not None  # the site's look
    rows = table_rows(page)
    assert [row[0] for row in rows] == [mask_receipt(r["receipt_no"]) for r in reversed(receipts)]
    for row in rows:
        assert MASKED.fullmatch(row[0])
        assert row[1] == "专利权质押登记" and row[3] == "已提交" and row[5] == "—"
        assert row[4] == "—"  # the due date runs from acceptance: none before it
    link = page.select_one("tbody a")["href"]
    assert link == "../" + urls.item("patent-pledge")  # relative to /disclosure/, as built
    text = page.get_text()
    fields = pledge_fields()
    for private in (fields["applicant_name"], fields["phone"], fields["id_number"], fields["email"]):
        assert private not in text
    for receipt in receipts:
        assert receipt["receipt_no"] not in text and receipt["lookup_code"] not in text
