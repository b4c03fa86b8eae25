"""The online forms in real Chromium against the real service (``service_url``: the built
sample site and the forms API on one port), with JavaScript and without it.

With JavaScript, forms.js sends the form with fetch and answers in place; without it, the
browser posts the form and the service answers with a page in the site's look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.identifiers import id_number_check_char
from generator.site import urls
from tests.browser import Visit

pytestmark = pytest.mark.browser

RECEIPT_NO = re.compile(r"ZX\d{8}-\d{6}")
APPLICATION_NO = re.compile(r"SQ\d{8}-\d{6}")
LOOKUP_CODE = re.compile(r"[0-9A-Z]{8}")
CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
ID_NUMBER = "11010519491231002" + id_number_check_char("11010519491231002")


def _tab(chromium: Any, service_url: str, **options: Any) -> Iterator[Visit]:
    tab = Visit(chromium, service_url, **options)
    yield tab
    external = tab.external()
    tab.close()
    assert not external, f"requests left 127.0.0.1: {external}"


@pytest.fixture
def tab(chromium: Any, service_url: str) -> Iterator[Visit]:
    """A tab on the service, JavaScript on."""
    yield from _tab(chromium, service_url)


@pytest.fixture
def plain(chromium: Any, service_url: str) -> Iterator[Visit]:
    """A tab on the service with JavaScript off: plain form posts."""
    yield from _tab(chromium, service_url, javascript=False)


@pytest.fixture(scope="module")
def pdf_file(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real PDF, printed by Chromium."""
    page = chromium.new_page()
    page.set_content("<h1>专利权质押合同</h1><p>测试用材料</p>")
    path = tmp_path_factory.mktemp("uploads") / "合同.pdf"
    path.write_bytes(page.pdf(format="A4"))
    page.close()
    return path


def submit(tab: Visit, kind: str) -> None:
    tab.page.click(f"form[data-ipps-form='{kind}'] [data-ipps-submit]")


def fill_consultation(
    tab: Visit, *, email: str = "", phone: str = "13800138000", subject: str = "质押登记材料"
) -> None:
    tab.page.fill("#consult-name", "张三")
    tab.page.fill("#consult-phone", phone)
    tab.page.fill("#consult-email", email)
    tab.page.fill("#consult-subject", subject)
    tab.page.fill("#consult-message", "想了解专利权质押登记需要准备哪些材料，合同是否需要公证。")


def focused(tab: Visit) -> dict[str, Any]:
    return tab.page.evaluate(
        "({id: document.activeElement.id, summary: document.activeElement.hasAttribute('data-ipps-summary'),"
        " receipt: document.activeElement.hasAttribute('data-ipps-receipt-title')})"
    )


def hashes(tab: Visit) -> list[str]:
    """Where the links of the error summary lead."""
    return tab.page.eval_on_selector_all("[data-ipps-summary] a", "links => links.map(a => a.hash)")


def slot(tab: Visit, name: str) -> str:
    return tab.page.inner_text(f"[data-ipps-receipt-box] [data-ipps-slot='{name}']").strip()


# --- with JavaScript -----------------------------------------------------------------------------


def test_a_consultation_gets_a_receipt_and_can_be_looked_up(tab: Visit) -> None:
    tab.open(urls.CONSULT)
    fill_consultation(tab)
    submit(tab, "consultation")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    assert tab.page.url.endswith("/" + urls.CONSULT)  # answered in place
    receipt_no, code = slot(tab, "receipt_no"), slot(tab, "lookup_code")
    assert RECEIPT_NO.fullmatch(receipt_no) and LOOKUP_CODE.fullmatch(code)
    assert CN_DATE.fullmatch(slot(tab, "reply_due"))
    assert slot(tab, "status") == "已提交"
    assert focused(tab)["receipt"]
    assert tab.page.locator("form[data-ipps-form]").count() == 0

    tab.page.click("[data-ipps-receipt-box] a.ipps-button--plain")  # 查询进度
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith(f"/{urls.LOOKUP}?receipt_no={receipt_no}")
    assert tab.page.input_value("#lookup-receipt_no") == receipt_no
    tab.page.fill("#lookup-code", code)
    submit(tab, "lookup")
    view = tab.page.wait_for_selector(".ipps-lookup-view")
    text = view.inner_text()
    assert receipt_no in text and "已提交" in text and "收到咨询留言" in text
    assert "评价办件" not in text  # the invitation comes once it is answered (F.1.3)

    # a wrong code answers as an unknown receipt does
    tab.page.fill("#lookup-code", "WRONG123")
    submit(tab, "lookup")
    problem = tab.page.wait_for_selector("[data-ipps-problem]")
    assert "找不到这个办件" in problem.inner_text()
    assert tab.page.locator(".ipps-lookup-view").count() == 0


def test_mistakes_are_summarised_and_shown_at_each_field(tab: Visit) -> None:
    tab.open(urls.CONSULT)
    fill_consultation(tab, phone="", subject="")  # no way to answer, no subject
    submit(tab, "consultation")
    summary = tab.page.wait_for_selector("[data-ipps-summary]")
    assert focused(tab)["summary"]
    assert summary.get_attribute("role") == "alert"
    assert summary.inner_text().startswith("有 2 处需要修改")
    assert hashes(tab) == ["#consult-phone", "#consult-subject"]
    assert "至少填写联系电话或电子邮箱" in tab.page.inner_text("#consult-phone-error")
    assert tab.page.inner_text("#consult-subject-error").endswith("请填写咨询主题")
    assert tab.page.input_value("#consult-message").startswith("想了解")  # nothing lost

    # a bad e-mail address: the old messages go, the new ones are summarised again
    tab.page.fill("#consult-email", "not-an-email")
    submit(tab, "consultation")
    tab.page.wait_for_function("() => !document.getElementById('consult-phone-error')")
    assert hashes(tab) == ["#consult-email", "#consult-subject"]
    assert tab.page.locator("[data-ipps-summary]").count() == 1
    assert focused(tab)["summary"]
    phone = tab.page.locator("#consult-phone")
    assert phone.get_attribute("aria-invalid") is None
    assert phone.get_attribute("aria-describedby") == "consult-phone-hint"
    email = tab.page.locator("#consult-email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "consult-email-error" in email.get_attribute("aria-describedby").split()
    assert "格式不正确" in tab.page.inner_text("#consult-email-error")

    # a summary link puts the focus in its field
    tab.page.click("[data-ipps-summary] a[href='#consult-subject']")
    assert focused(tab)["id"] == "consult-subject"

    tab.page.fill("#consult-email", "zhang@example.com")
    tab.page.fill("#consult-subject", "专利质押")
    submit(tab, "consultation")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    assert RECEIPT_NO.fullmatch(slot(tab, "receipt_no"))


def test_a_lost_connection_keeps_what_was_typed(tab: Visit) -> None:
    tab.open(urls.CONSULT)
    tab.page.route("**/api/consultations", lambda route: route.abort())
    fill_consultation(tab)
    submit(tab, "consultation")
    problem = tab.page.wait_for_selector("[data-ipps-problem]")
    assert "网络连接失败" in problem.inner_text()
    assert tab.page.input_value("#consult-name") == "张三"
    assert tab.page.locator("form[data-ipps-form='consultation'] [data-ipps-submit]").is_enabled()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (413, "提交的内容超过 20 MB，请压缩文件后重试"),
        (429, "提交过于频繁，请 30 秒后再试"),
        (503, "服务暂时无法保存您的提交，请稍后重试；本次提交未被受理"),
    ],
)
def test_refusals_are_shown_and_the_form_kept(tab: Visit, status: int, message: str) -> None:
    body = {"error": {"code": "x", "message": message, "fields": {}}}
    tab.open(urls.CONSULT)
    tab.page.route("**/api/consultations", lambda route: route.fulfill(status=status, json=body))
    fill_consultation(tab)
    submit(tab, "consultation")
    problem = tab.page.wait_for_selector("[data-ipps-problem]")
    assert problem.inner_text().strip() == message
    assert tab.page.evaluate("document.activeElement === document.querySelector('[data-ipps-problem]')")
    assert tab.page.input_value("#consult-message").startswith("想了解")
    assert tab.page.locator("form[data-ipps-form='consultation'] [data-ipps-submit]").is_enabled()


def fill_application(tab: Visit) -> None:
    page = tab.page
    page.check("#apply-applicant_type")  # 自然人
    page.fill("#apply-applicant_name", "张三")
    page.fill("#apply-id_number", ID_NUMBER)
    page.fill("#apply-phone", "13800138000")
    page.fill("#apply-patent_numbers", "ZL202310000000.1")
    page.fill("#apply-pledgee_name", "示范农商银行股份有限公司滨江支行")
    page.fill("#apply-secured_amount", "500")
    page.fill("#apply-debt_term", "2026年12月1日至2027年11月30日")


def test_an_application_with_uploaded_materials(tab: Visit, pdf_file: Path, tmp_path: Path) -> None:
    tab.open(urls.item("patent-pledge"))
    tab.page.click(".ipps-actions a[href='#apply']")
    fill_application(tab)
    # first with mistakes: one required material missing, one of a type it does not take
    png = tmp_path / "合同.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    tab.page.set_input_files("#apply-application_form", str(pdf_file))
    tab.page.set_input_files("#apply-pledge_contract", str(png))
    submit(tab, "application")
    tab.page.wait_for_selector("[data-ipps-summary]")
    assert hashes(tab) == ["#apply-pledge_contract", "#apply-identity_documents"]  # every problem at once
    assert "只接受" in tab.page.inner_text("#apply-pledge_contract-error")
    assert tab.page.locator("#apply-identity_documents").get_attribute("aria-invalid") == "true"

    tab.page.set_input_files("#apply-pledge_contract", str(pdf_file))
    tab.page.set_input_files("#apply-identity_documents", str(pdf_file))
    submit(tab, "application")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    assert APPLICATION_NO.fullmatch(slot(tab, "receipt_no"))
    assert LOOKUP_CODE.fullmatch(slot(tab, "lookup_code"))
    assert CN_DATE.fullmatch(slot(tab, "due_date"))
    assert slot(tab, "item_name") == "专利权质押登记"
    assert tab.page.locator("[data-ipps-receipt-box] [data-ipps-print]").is_visible()
    # the consultation form of the page is still there
    assert tab.page.locator("form[data-ipps-form='consultation']").count() == 1


def test_rating_a_service_from_its_lookup(tab: Visit) -> None:
    tab.open(urls.CONSULT)
    fill_consultation(tab)
    submit(tab, "consultation")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    receipt_no, code = slot(tab, "receipt_no"), slot(tab, "lookup_code")

    tab.open(f"{urls.RATE}?receipt_no={receipt_no}")
    assert tab.page.input_value("#rate-receipt_no") == receipt_no
    tab.page.fill("#rate-lookup_code", code)
    tab.page.check("#rate-level-5")  # 5 非常不满意: a reason is required
    submit(tab, "rating")
    tab.page.wait_for_selector("[data-ipps-summary]")
    assert hashes(tab) == ["#rate-comment"]
    tab.page.fill("#rate-comment", "答复不够具体。")
    submit(tab, "rating")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    assert "感谢" in tab.page.inner_text("[data-ipps-receipt-title]")
    assert "个工作日" in tab.page.inner_text("[data-ipps-if='bad']")

    # one rating per receipt: a second is refused with a message, the form kept
    tab.open(f"{urls.RATE}?receipt_no={receipt_no}")
    tab.page.fill("#rate-lookup_code", code)
    tab.page.check("#rate-level")
    submit(tab, "rating")
    problem = tab.page.wait_for_selector("[data-ipps-problem]")
    assert "已经评价过" in problem.inner_text()


def test_rating_a_guide_from_its_page(tab: Visit) -> None:
    tab.open(urls.item("patent-pledge"))
    tab.page.click("text=评价本事项指南")
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.inner_text("[data-ipps-item-name]") == "专利权质押登记"
    assert not tab.page.locator("[data-ipps-receipt-fields]").is_visible()
    tab.page.check("#rate-level")  # 1 非常满意
    submit(tab, "rating")
    tab.page.wait_for_selector("[data-ipps-receipt-title]")
    assert tab.page.locator("[data-ipps-if='bad']").count() == 0


# --- without JavaScript ------------------------------------------------------------------------------


def test_a_plain_post_gets_the_receipt_page(plain: Visit) -> None:
    plain.open(urls.CONSULT)
    fill_consultation(plain)
    with plain.page.expect_navigation():
        submit(plain, "consultation")
    page = plain.page
    assert page.url.endswith("/api/consultations")
    assert page.locator(".md-header").is_visible()  # the site's look
    assert page.inner_text("h1") == "咨询留言已提交"
    assert page.title().startswith("咨询留言已提交")
    receipt_no, code = slot(plain, "receipt_no"), slot(plain, "lookup_code")
    assert RECEIPT_NO.fullmatch(receipt_no) and LOOKUP_CODE.fullmatch(code)

    plain.open(urls.LOOKUP)
    page.fill("#lookup-receipt_no", receipt_no)
    page.fill("#lookup-code", code)
    with page.expect_navigation():
        submit(plain, "lookup")
    assert page.locator(".md-header").is_visible()
    assert page.inner_text("h1") == "办件进度"
    text = page.inner_text(".ipps-lookup-view")
    assert receipt_no in text and "已提交" in text


def test_plain_post_mistakes_get_the_form_back_with_the_values(plain: Visit) -> None:
    plain.open(urls.item("patent-pledge"))
    plain.page.fill("#consult-name", "李四")
    plain.page.fill("#consult-email", "li@example")
    plain.page.fill("#consult-message", "咨询内容")
    with plain.page.expect_navigation():
        submit(plain, "consultation")
    page = plain.page
    assert page.locator(".md-header").is_visible()
    assert page.inner_text("h1") == "咨询留言"
    assert focused(plain)["summary"]  # autofocus, no script needed
    assert hashes(plain) == ["#consult-email", "#consult-subject"]
    assert page.inner_text("#consult-email-error").endswith("格式不正确，例如 name@example.com")
    assert page.locator("#consult-email").get_attribute("aria-invalid") == "true"
    assert page.input_value("#consult-name") == "李四"
    assert page.input_value("#consult-email") == "li@example"
    assert page.input_value("#consult-message") == "咨询内容"
    assert "专利权质押登记" in page.inner_text(".ipps-form-subject")  # the item is still chosen

    page.fill("#consult-email", "li@example.com")
    page.fill("#consult-subject", "质押")
    with page.expect_navigation():
        submit(plain, "consultation")
    assert page.inner_text("h1") == "咨询留言已提交"


def test_a_plain_application_post_with_files(plain: Visit, pdf_file: Path) -> None:
    plain.open(urls.item("patent-pledge"))
    fill_application(plain)
    plain.page.fill("#apply-id_number", "110105194912310020")  # wrong check digit
    plain.page.set_input_files("#apply-application_form", str(pdf_file))
    with plain.page.expect_navigation():
        submit(plain, "application")
    page = plain.page
    assert page.inner_text("h1") == "网上申请：专利权质押登记"
    assert hashes(plain) == ["#apply-id_number", "#apply-pledge_contract", "#apply-identity_documents"]
    assert page.input_value("#apply-applicant_name") == "张三"
    assert page.is_checked("#apply-applicant_type")
    assert "重新选择" in page.inner_text(".ipps-notice")  # browsers do not keep chosen files

    page.fill("#apply-id_number", ID_NUMBER)
    for material in ("application_form", "pledge_contract", "identity_documents"):
        page.set_input_files(f"#apply-{material}", str(pdf_file))
    with plain.page.expect_navigation():
        submit(plain, "application")
    assert plain.page.inner_text("h1") == "申请已提交"
    assert APPLICATION_NO.fullmatch(slot(plain, "receipt_no"))
    assert CN_DATE.fullmatch(slot(plain, "due_date"))


# --- signed receipts (8.2.6 b) --------------------------------------------------------------------


def read_qr(tab: Visit, selector: str) -> str:
    """The text of the QR code at ``selector``, read from a screenshot as a phone reads it."""
    import io

    import zxingcpp
    from PIL import Image

    tab.page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    shot = Image.open(io.BytesIO(tab.page.locator(selector).screenshot()))
    (found,) = zxingcpp.read_barcodes(shot)
    return found.text


@pytest.mark.parametrize("which", ["tab", "plain"])
def test_the_receipt_qr_code_leads_to_its_verification(request: pytest.FixtureRequest, which: str) -> None:
    visit: Visit = request.getfixturevalue(which)  # with JavaScript, and plain form posts
    visit.open(urls.CONSULT)
    fill_consultation(visit)
    if which == "tab":
        submit(visit, "consultation")
        visit.page.wait_for_selector("[data-ipps-receipt-title]")
    else:
        with visit.page.expect_navigation():
            submit(visit, "consultation")
    receipt_no, code = slot(visit, "receipt_no"), slot(visit, "verify_code")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    address = urlsplit(read_qr(visit, "[data-ipps-receipt-box] img.ipps-receipt__qr"))
    assert (address.scheme, address.hostname, address.path) == ("https", "ip.shifan.example", "/api/verify")
    assert parse_qs(address.query) == {"receipt_no": [receipt_no], "code": [code]}

    visit.open(address.path.lstrip("/") + "?" + address.query)  # as on the platform's own host
    verdict = visit.page.locator("[data-ipps-verdict]")
    assert verdict.get_attribute("data-ipps-verdict") == "issued" and "核验通过" in verdict.inner_text()
    assert receipt_no in visit.page.inner_text("dl.ipps-facts")

    # by hand: the verification page's form, with the code typed in lower case
    visit.open(urls.VERIFY)
    visit.page.fill("#verify-receipt_no", receipt_no)
    visit.page.fill("#verify-code", code.lower())
    with visit.page.expect_navigation():
        visit.page.click("form[action$='api/verify'] [type=submit]")
    assert visit.page.locator("[data-ipps-verdict]").get_attribute("data-ipps-verdict") == "issued"
