"""One whole journey in real Chromium, applicant and staff in separate browsers: the
applicant applies, the acceptor asks for a correction, the applicant corrects through the
lookup, the acceptor accepts, the handler records progress and completes with a result
document, and the applicant sees the result, downloads it and rates the service. A second
journey follows a 差评 of a guide page into the 差评 queue and an improvement measure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.site import urls
from tests.api import pdf
from tests.browser import Visit
from tests.conftest import start_service
from tests.console import PASSWORD, add_staff
from tests.test_forms_browser import fill_application, slot, submit

SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture
def service(built_site: Path, tmp_path: Path) -> Iterator[str]:
    data = tmp_path / "data"
    add_staff(data)
    url, server, thread = start_service(built_site, data, rate_limit="0")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "材料.pdf"
    path.write_bytes(pdf(3000))
    return path


@pytest.fixture
def browsers(chromium: Any, service: str) -> Iterator[tuple[Visit, Visit]]:
    applicant, staff = Visit(chromium, service), Visit(chromium, service)
    yield applicant, staff
    external = applicant.external() + staff.external()
    applicant.close()
    staff.close()
    assert not external, f"requests left 127.0.0.1: {external}"


def staff_login(staff: Visit, name: str) -> None:
    staff.context.clear_cookies()
    staff.open("staff/login")
    staff.page.fill("#login-username", name)
    staff.page.fill("#login-password", PASSWORD)
    staff.page.click("form[action='/staff/login'] button[type=submit]")
    staff.page.wait_for_selector("h1:text('工作台')")


def do(staff: Visit, action: str) -> None:
    staff.page.click(f"#action-{action} button[type=submit]")
    staff.page.wait_for_selector("[data-ipps-done]")


def look_up(applicant: Visit, receipt_no: str, code: str) -> None:
    applicant.open(f"{urls.LOOKUP}?receipt_no={receipt_no}")
    applicant.page.fill("#lookup-code", code)
    submit(applicant, "lookup")
    applicant.page.wait_for_selector("[data-ipps-lookup-result] .ipps-lookup-view")


def shot(visit: Visit, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_whole_journey_of_an_application(
    browsers: tuple[Visit, Visit], pdf_file: Path, tmp_path: Path
) -> None:
    applicant, staff = browsers

    # the applicant applies
    applicant.open(urls.item("patent-pledge"))
    applicant.page.click(".ipps-actions a[href='#apply']")
    fill_application(applicant)
    for material in ("application_form", "pledge_contract", "identity_documents"):
        applicant.page.set_input_files(f"#apply-{material}", str(pdf_file))
    submit(applicant, "application")
    applicant.page.wait_for_selector("[data-ipps-receipt-title]")
    receipt_no, code = slot(applicant, "receipt_no"), slot(applicant, "lookup_code")

    # the acceptor finds it in the queue and asks for one correction, with a note
    staff_login(staff, "wang")
    staff.page.click(f".ipps-staff-queue a:text('{receipt_no}')")
    staff.page.wait_for_selector(f"h1:has-text('{receipt_no}')")
    assert "林晓" not in staff.page.inner_text(".ipps-staff-person")  # masked
    staff.page.check("#request_correction-m-pledge_contract")
    staff.page.fill("[name='material_note:pledge_contract']", "缺少质权人盖章")
    do(staff, "request_correction")
    assert staff.page.inner_text("[data-ipps-status]") == "需补正"
    shot(staff, "staff-record-correction")

    # the applicant sees the whole list in the lookup and sends the corrected contract
    look_up(applicant, receipt_no, code)
    view = applicant.page.locator("[data-ipps-lookup-result]")
    assert "专利权质押合同：缺少质权人盖章" in view.inner_text()
    assert "wang" not in view.inner_text()
    shot(applicant, "lookup-correction")
    applicant.page.click("[data-ipps-lookup-result] a:text('提交补正材料')")
    applicant.page.wait_for_selector("h1:text('提交补正材料')")
    applicant.page.set_input_files("#fix-pledge_contract", str(pdf_file))
    applicant.page.fill("#fix-note", "已补盖质权人公章")
    applicant.page.click("form[action$='/correction'] [data-ipps-submit]")
    applicant.page.wait_for_selector("h1:text('办件进度')")
    assert applicant.page.inner_text(".ipps-status") == "已提交"

    # the acceptor accepts
    staff.page.reload()
    do(staff, "accept")
    assert staff.page.inner_text("[data-ipps-status]") == "已受理"

    # the handler of the item's department records progress and completes it
    staff_login(staff, "li")
    staff.open(f"staff/records/{receipt_no}")
    staff.page.fill("#progress-text", "已完成审查，正在登记")
    do(staff, "progress")
    staff.page.fill("#complete-result", "准予登记，登记通知书见附件")
    staff.page.set_input_files("#complete-document_file", str(pdf_file))
    do(staff, "complete")
    assert staff.page.inner_text("[data-ipps-status]") == "已办结"
    timeline = staff.page.inner_text(".ipps-timeline")
    assert "wang（受理员）" in timeline and "li（办理员）" in timeline
    shot(staff, "staff-record-completed")

    # the applicant sees the result, downloads the document and rates the service
    look_up(applicant, receipt_no, code)
    view = applicant.page.locator("[data-ipps-lookup-result]")
    assert applicant.page.inner_text("[data-ipps-lookup-result] dt:text-is('当前状态') + dd") == "已办结"
    assert "准予登记，登记通知书见附件" in view.inner_text()
    with applicant.page.expect_download() as download:
        applicant.page.click("[data-ipps-lookup-result] a:has-text('下载结果文书')")
    saved = tmp_path / "result.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == pdf_file.read_bytes()
    shot(applicant, "lookup-completed")
    applicant.page.click("[data-ipps-lookup-result] a:has-text('评价办件')")
    applicant.page.fill("#rate-lookup_code", code)
    applicant.page.check("#rate-level")  # 1 非常满意
    submit(applicant, "rating")
    applicant.page.wait_for_selector("[data-ipps-receipt-title]")
    assert "感谢" in applicant.page.inner_text("[data-ipps-receipt-title]")


def test_a_bad_rating_of_a_guide_becomes_a_case_and_a_public_improvement_measure(
    browsers: tuple[Visit, Visit],
) -> None:
    applicant, staff = browsers

    # someone rates the guide of an item 非常不满意, saying why
    applicant.open(urls.item("patent-pledge"))
    applicant.page.click(".ipps-rate-link a")
    applicant.page.wait_for_selector("[data-ipps-item-name]")
    applicant.page.check("input[name=level][value='5']")
    applicant.page.fill("#rate-comment", "指南没写质押合同是否需要公证，白跑一趟")
    submit(applicant, "rating")
    applicant.page.wait_for_selector("[data-ipps-receipt-title]")

    # the supervisor finds the case in the 差评 queue and registers a measure from it
    staff_login(staff, "sun")
    staff.page.click("a[data-queue=cases]")
    staff.page.click(".ipps-staff-queue a[href^='/staff/records/CP']")
    staff.page.wait_for_selector("h1:has-text('CP')")
    case_no = staff.page.inner_text("h1").split()[-1]
    staff.page.click("[data-ipps-new-measure]")
    staff.page.wait_for_selector("#measure-title")
    assert staff.page.input_value("#measure-source_no") == case_no  # prefilled from the case
    staff.page.fill("#measure-title", "在办事指南中写明质押合同无需公证")
    staff.page.fill("#measure-problem", "差评反映指南未说明质押合同是否需要公证")
    staff.page.fill("#measure-due_date", "2026-12-31")
    staff.page.check("input[name=public][value=yes]")
    staff.page.click("form[action='/staff/measures'] button[type=submit]")
    staff.page.wait_for_selector("h1:has-text('GJ')")
    facts = staff.page.inner_text("main")
    assert "在办事指南中写明质押合同无需公证" in facts and case_no in facts
    assert "示范市市场监督管理局" in facts  # the owner came from the case's department
    shot(staff, "staff-measure")

    # the list shows it, and the bar links to it
    staff.page.click(".ipps-staff-bar a:text('改进措施')")
    assert "在办事指南中写明质押合同无需公证" in staff.page.inner_text("table")
