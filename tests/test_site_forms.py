"""The online forms in the built sample site, and their templates as the service renders them.

The forms are rendered from generator.forms (labels, kinds, autocomplete, options) and from
the catalog (materials, the item's own fields); these tests read the built HTML.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from forms_api.domain.submissions import public_view
from generator import forms
from generator.catalog import Catalog
from generator.forms import accepts_applications
from generator.schema import Item
from generator.schema.tables import UPLOAD_TYPES
from generator.site import urls
from generator.site.render import make_environment, render
from tests.conftest import html_of

FORM_PAGES = (urls.CONSULT, urls.LOOKUP, urls.RATE)
EXTENSIONS = {
    "pdf": {".pdf"},
    "jpg": {".jpg", ".jpeg"},
    "png": {".png"},
    "doc": {".doc"},
    "docx": {".docx"},
    "xls": {".xls"},
    "xlsx": {".xlsx"},
}


def target(site_dir: Path, page_url: str, link: str) -> Path:
    """The file a relative link of ``page_url`` leads to (query and fragment dropped)."""
    path = unquote(urlsplit(link).path)
    resolved = Path(os.path.normpath(site_dir / page_url / path))
    return resolved / "index.html" if link.split("?")[0].endswith("/") or resolved.is_dir() else resolved


def api_path(site_dir: Path, page_url: str, action: str) -> str:
    """The site path a form's relative action leads to, e.g. ``api/consultations``."""
    resolved = Path(os.path.normpath(site_dir / page_url / action))
    return resolved.relative_to(site_dir).as_posix()


def label_of(page: BeautifulSoup, control: Tag) -> str:
    """The text of the label of a control (radios and checkboxes: their own label)."""
    label = page.find("label", attrs={"for": control["id"]})
    assert label is not None, f"no label for #{control['id']}"
    return label.get_text(strip=True)


def form_of(page: BeautifulSoup, kind: str) -> Tag | None:
    return page.find("form", attrs={"data-ipps-form": kind})


# --- the application form on guide pages ----------------------------------------------------------


def test_items_that_accept_online_applications_have_an_application_form(
    built_site: Path, catalog: Catalog
) -> None:
    with_form = 0
    for slug, item in catalog.items.items():
        page = html_of(built_site, urls.item(slug))
        form = form_of(page, "application")
        if not accepts_applications(item):
            assert form is None and page.find(id="apply") is None, slug
            assert page.select_one('.ipps-actions a[href="#apply"]') is None, slug
            continue
        with_form += 1
        assert form is not None, slug
        assert page.find(id="apply").name == "h2"
        assert form.find_parent(class_="ipps-form-section-host").find_previous_sibling("h2")["id"] == "apply"
        assert page.select_one('.ipps-actions a[href="#apply"]').get_text(strip=True) == "在线申请"
        assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
        assert api_path(built_site, urls.item(slug), form["action"]) == "api/applications"
        hidden = form.find("input", attrs={"type": "hidden", "name": "item_code"})
        assert hidden["value"] == item.implementation_code
        check_materials(built_site, slug, item, form, catalog)
        check_own_fields(page, item, form)
    assert with_form >= 10  # the sample catalog has many


def check_materials(built_site: Path, slug: str, item: Item, form: Tag, catalog: Catalog) -> None:
    files = form.find_all("input", attrs={"type": "file"})
    expected = [m for m in item.materials if not m.online_exempt]
    assert [f["name"] for f in files] == [m.id for m in expected], slug
    for file_input, material in zip(files, expected, strict=True):
        accept = {token.strip() for token in file_input["accept"].split(",")}
        extensions = {token for token in accept if token.startswith(".")}
        assert extensions == set().union(*(EXTENSIONS[t] for t in material.upload_types)), material.id
        assert file_input.has_attr("required") == material.required
        label = label_of(form, file_input)
        assert label.startswith(material.name)
        assert label.endswith("（必填）") == material.required
        hint = form.find(id=f"{file_input['id']}-hint").get_text(strip=True)
        limit = material.max_size_mb or catalog.platform.settings.upload_max_file_mb
        assert f"不超过 {limit} MB" in hint
        for upload_type in material.upload_types:
            assert UPLOAD_TYPES.label(upload_type) in hint
        assert file_input["id"] + "-hint" in file_input["aria-describedby"].split()
        field = file_input.find_parent(class_="ipps-field")
        links = {a.get_text(strip=True).split("：")[0]: a["href"] for a in field.select(".ipps-downloads a")}
        assert ("下载空表" in links) == bool(material.blank_form)
        assert ("查看样表" in links) == bool(material.sample_form)
        for name, href in links.items():
            source = material.blank_form if name == "下载空表" else material.sample_form
            path = target(built_site, urls.item(slug), href)
            assert path.read_bytes() == (catalog.files_dir / source).read_bytes()


def check_own_fields(page: BeautifulSoup, item: Item, form: Tag) -> None:
    for spec in forms.APPLICANT:
        if spec.kind == "hidden":
            continue
        controls = form.find_all(attrs={"name": spec.name})
        assert controls, spec.name
        if spec.kind == "radio":
            legend = controls[0].find_parent("fieldset").legend.get_text(strip=True)
            assert legend.startswith(spec.label)
            assert [label_of(page, c) for c in controls] == [text for _, text in spec.choices]
        else:
            assert label_of(page, controls[0]).startswith(spec.label)
        if spec.autocomplete:
            assert controls[0]["autocomplete"] == spec.autocomplete
    for own in item.application_fields:
        control = form.find(attrs={"name": own.id})
        assert control is not None, own.id
        label = label_of(page, control)
        assert label == own.label + ("（必填）" if own.required else "")
        if own.type == "select":
            assert [o["value"] for o in control.find_all("option")][1:] == own.options
        if own.type in ("text", "textarea"):
            assert control["maxlength"] == str(own.max_length)
        if own.help:
            assert page.find(id=control["id"] + "-hint").get_text(strip=True) == own.help


# --- consultation on guide pages and the form pages ------------------------------------------------


def test_guide_pages_take_questions_about_their_item(built_site: Path, catalog: Catalog) -> None:
    for slug, item in catalog.items.items():
        page = html_of(built_site, urls.item(slug))
        form = form_of(page, "consultation")
        if item.status.state == "取消":
            assert form is None and page.find(id="consult") is None, slug
            continue
        assert form is not None, slug
        assert page.find(id="consult").name == "h2"
        assert form.find("input", attrs={"name": "item_code"})["value"] == item.implementation_code
        assert form.find(class_="ipps-form-subject").a.get_text(strip=True) == item.name
        rate = page.find("a", string="评价本事项指南")
        query = parse_qs(urlsplit(rate["href"]).query)
        assert query["item_code"] == [item.implementation_code] and query["item"] == [item.name]
        assert target(built_site, urls.item(slug), rate["href"]) == built_site / urls.RATE / "index.html"
        scripts = [s["src"] for s in page.find_all("script", src=True) if s["src"].endswith("forms.js")]
        assert len(scripts) == 1 and target(built_site, urls.item(slug), scripts[0]).is_file()


def test_the_consultation_page(built_site: Path) -> None:
    page = html_of(built_site, urls.CONSULT)
    assert page.h1.get_text(strip=True) == "咨询留言"
    assert page.title.get_text().startswith("咨询留言")
    form = form_of(page, "consultation")
    assert form["method"] == "post" and not form.has_attr("enctype")
    assert api_path(built_site, urls.CONSULT, form["action"]) == "api/consultations"
    names = [c["name"] for c in form.find_all(["input", "textarea", "select"]) if c["name"] != forms.HONEYPOT]
    assert names == [f.name for f in forms.CONSULTATION.fields if f.kind != "hidden"]
    for spec in forms.CONSULTATION.fields:
        if spec.kind == "hidden":
            continue
        control = form.find(attrs={"name": spec.name})
        assert label_of(page, control) == spec.label + ("（必填）" if spec.required else "")
        assert control.has_attr("required") == spec.required
        assert control.get("autocomplete") == spec.autocomplete
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "phone"})["type"] == "tel"


def test_the_lookup_page(built_site: Path) -> None:
    page = html_of(built_site, urls.LOOKUP)
    assert page.h1.get_text(strip=True) == "进度查询"
    form = form_of(page, "lookup")
    assert form["method"] == "get"
    assert api_path(built_site, urls.LOOKUP, form["action"]) == "api/lookup"
    controls = form.find_all("input")
    assert [c["name"] for c in controls] == ["receipt_no", "code"]
    assert [label_of(page, c) for c in controls] == [f"{f.label}（必填）" for f in forms.LOOKUP.fields]
    assert target(built_site, urls.LOOKUP, form["data-ipps-rate"]) == built_site / urls.RATE / "index.html"


def test_the_rating_page(built_site: Path) -> None:
    page = html_of(built_site, urls.RATE)
    form = form_of(page, "rating")
    assert api_path(built_site, urls.RATE, form["action"]) == "api/ratings"
    level = form.find_all("input", attrs={"name": "level"})
    assert [c["value"] for c in level] == list(forms.LEVELS)
    assert [label_of(page, c) for c in level] == list(forms.LEVEL_LABELS)
    assert all(c["type"] == "radio" and c.has_attr("required") for c in level)
    for name, label in forms.SUB_INDICATORS:
        group = form.find_all("input", attrs={"name": name})
        assert len(group) == len(forms.LEVELS) and not group[0].has_attr("required")
        assert group[0].find_parent("fieldset").legend.get_text(strip=True) == label
    for name in ("receipt_no", "lookup_code", "comment"):
        control = form.find(attrs={"name": name})
        assert label_of(page, control) == forms.RATING.field(name).label
    # the item of a guide rating comes from the query string (forms.js): disabled until then
    item_code = form.find("input", attrs={"name": "item_code"})
    assert item_code.has_attr("disabled") and item_code.find_parent(attrs={"data-ipps-item-subject": True})


# --- what every form has ----------------------------------------------------------------------------


def every_form_page(catalog: Catalog) -> list[str]:
    return [*FORM_PAGES, *(urls.item(slug) for slug in catalog.items)]


def test_every_form_has_a_labelled_honeypot(built_site: Path, catalog: Catalog) -> None:
    css = (built_site / "assets/ipps/site.css").read_text(encoding="utf-8")
    rule = re.search(r"\.ipps-hp\s*\{([^}]*)\}", css)
    assert rule and "display: none" not in rule.group(1) and "position: absolute" in rule.group(1)
    for url in every_form_page(catalog):
        page = html_of(built_site, url)
        for form in page.find_all("form", attrs={"data-ipps-form": True}):
            trap = form.find("input", attrs={"name": forms.HONEYPOT})
            if form["data-ipps-form"] == "lookup":
                assert trap is None  # a lookup stores nothing
                continue
            assert trap is not None, (url, form["data-ipps-form"])
            assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off" and trap["value"] == ""
            assert label_of(page, trap) == "请勿填写此项"
            assert "ipps-hp" in trap.parent["class"] and not trap.parent.has_attr("hidden")


def test_every_control_has_a_label_and_ids_are_unique(built_site: Path, catalog: Catalog) -> None:
    for url in every_form_page(catalog):
        page = html_of(built_site, url)
        ids = [tag["id"] for tag in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), (url, [i for i in ids if ids.count(i) > 1])
        for form in page.find_all("form", attrs={"data-ipps-form": True}):
            assert form.has_attr("novalidate")  # the service's messages, not the browser's
            assert form.find("button", attrs={"type": "submit"}) is not None
            for control in form.find_all(["input", "select", "textarea"]):
                if control.get("type") == "hidden":
                    continue
                assert control.get("id"), (url, control)
                assert label_of(page, control), (url, control["id"])
                for described in control.get("aria-describedby", "").split():
                    assert page.find(id=described) is not None, (url, described)


def test_every_form_carries_its_receipt_template(built_site: Path, catalog: Catalog) -> None:
    for url in every_form_page(catalog):
        page = html_of(built_site, url)
        for form in page.find_all("form", attrs={"data-ipps-form": True}):
            if form["data-ipps-form"] == "lookup":
                continue
            block = form.find_parent(attrs={"data-ipps-form-block": True})
            template = block.find("template", attrs={"data-ipps-receipt": True})
            slots = {s["data-ipps-slot"] for s in template.find_all(attrs={"data-ipps-slot": True})}
            assert "receipt_no" in slots, url
            if form["data-ipps-form"] == "application":
                assert {"lookup_code", "due_date", "status"} <= slots
            for link in template.find_all("a", href=True):
                if not link["href"].startswith("#"):
                    assert target(built_site, url, link["href"]).is_file(), (url, link["href"])


def test_form_pages_link_only_to_built_files(built_site: Path) -> None:
    for url in FORM_PAGES:
        content = html_of(built_site, url).find("article")
        for link in content.find_all("a", href=True):
            href = link["href"]
            if href.startswith(("#", "tel:", "mailto:", "http")):
                continue
            assert target(built_site, url, href).is_file(), (url, href)


# --- the templates as the service renders them --------------------------------------------------------


@pytest.fixture(scope="module")
def env() -> Any:
    return make_environment()


def service_render(env: Any, catalog: Catalog, template: str, **context: Any) -> BeautifulSoup:
    """What forms_api.web.pages puts into the shell: absolute links, the service's globals."""
    base = {"platform": catalog.platform, "catalog": catalog, "forms": forms}
    return BeautifulSoup(render(env, template, "", {**base, **context}, absolute=True), "html.parser")


def test_a_consultation_with_mistakes_comes_back_with_its_values(env: Any, catalog: Catalog) -> None:
    item = catalog.items["patent-pledge"]
    values = {
        "name": "王五",
        "email": "bad",
        "subject": "",
        "message": "<b>质押</b>",
        "item_code": item.implementation_code,
    }
    errors = {
        "phone": "请至少填写联系电话或电子邮箱中的一项",
        "email": "电子邮箱格式不正确",
        "subject": "请填写咨询主题",
    }
    page = service_render(
        env,
        catalog,
        "forms/consultation.html",
        values=values,
        errors=errors,
        summary="有 3 处需要修改",
        item=item,
        slug="patent-pledge",
    )
    summary = page.find(attrs={"data-ipps-summary": True})
    assert summary["role"] == "alert" and summary["tabindex"] == "-1" and summary.has_attr("autofocus")
    assert summary.find("h2").get_text(strip=True) == "有 3 处需要修改"
    links = [(a["href"], a.get_text(strip=True)) for a in summary.find_all("a")]
    assert links == [(f"#consult-{name}", message) for name, message in errors.items()]
    for name, message in errors.items():
        control = page.find(id=f"consult-{name}")
        assert control["aria-invalid"] == "true"
        error = page.find(id=f"consult-{name}-error")
        assert error.get_text(strip=True) == "错误：" + message
        assert f"consult-{name}-error" in control["aria-describedby"].split()
    assert page.find(id="consult-name")["value"] == "王五"
    assert page.find(id="consult-message").get_text() == "<b>质押</b>"  # escaped, kept as text
    assert page.find("form")["action"] == "/api/consultations"
    assert page.find("input", attrs={"name": "item_code"})["value"] == item.implementation_code
    assert page.find(class_="ipps-form-subject").a["href"] == "/" + urls.item("patent-pledge")


def test_an_unknown_item_is_not_sent_again(env: Any, catalog: Catalog) -> None:
    errors = {"item_code": "找不到这个事项，请从事项页面进入"}
    page = service_render(
        env,
        catalog,
        "forms/consultation.html",
        values={"item_code": "nope"},
        errors=errors,
        summary="x",
        item=None,
        slug=None,
    )
    assert page.find("input", attrs={"name": "item_code"}) is None
    assert page.find(id="consult-item_code").get_text(strip=True) == "错误：" + errors["item_code"]
    application = service_render(
        env, catalog, "forms/application.html", values={}, errors=errors, summary="x", item=None, slug=None
    )
    assert application.find("form") is None
    assert application.find(id="apply-item_code") is not None


def test_an_application_form_from_any_catalog_item(env: Any, catalog: Catalog) -> None:
    """Kinds the sample catalog does not use: an exempt material, checkboxes, a chosen option."""
    item = catalog.items["patent-pledge"]
    materials = [item.materials[0].model_copy(update={"online_exempt": True}), *item.materials[1:]]
    extra = item.application_fields[0].model_copy(
        update={
            "id": "channels",
            "label": "了解渠道",
            "type": "checkboxes",
            "options": ["网站", "窗口", "电话"],
        }
    )
    item = item.model_copy(
        update={"materials": materials, "application_fields": [*item.application_fields, extra]}
    )
    values = {"applicant_type": "法人", "channels": ["网站", "电话"], "applicant_name": "某公司"}
    page = service_render(
        env,
        catalog,
        "forms/application.html",
        values=values,
        errors={"credit_code": "请填写统一社会信用代码"},
        summary="有 1 处需要修改",
        item=item,
        slug="patent-pledge",
        form=forms.application_form(item),
    )
    names = [f["name"] for f in page.find_all("input", attrs={"type": "file"})]
    assert names == [m.id for m in item.materials[1:]]
    assert item.materials[0].name + "：由本表单代替，无需上传。" in page.get_text()
    assert [c["value"] for c in page.find_all("input", attrs={"name": "channels", "checked": True})] == [
        "网站",
        "电话",
    ]
    assert page.find("input", attrs={"name": "applicant_type", "checked": True})["value"] == "法人"
    group = page.find("input", attrs={"name": "channels"}).find_parent("fieldset")
    assert group.legend.get_text(strip=True) == "了解渠道（必填）"
    assert page.find(id="apply-credit_code")["aria-invalid"] == "true"
    assert "重新选择" in page.find(class_="ipps-notice").get_text()  # files are not kept by browsers
    assert page.find("form")["enctype"] == "multipart/form-data"


def test_the_receipt_pages(env: Any, catalog: Catalog) -> None:
    receipt = {
        "receipt_no": "SQ20261124-000007",
        "lookup_code": "AB3DEF7H",
        "status": "已提交",
        "due_date": "2026-12-08",
        "due_date_provisional": True,
        "item_name": "专利权质押登记",
        "verify_code": "ABCD-EFGH-JKLM-NPQR",
    }
    page = service_render(env, catalog, "forms/receipt.html", kind="application", receipt=receipt)
    text = page.get_text(" ", strip=True)
    assert page.h1.get_text(strip=True) == "申请已提交"
    for expected in (
        "SQ20261124-000007",
        "AB3DEF7H",
        "2026年12月8日",
        "专利权质押登记",
        "暂按周一至周五计算",
    ):
        assert expected in text
    lookup = page.find("a", attrs={"data-ipps-lookup-link": True})
    assert lookup["href"] == "/lookup/?receipt_no=SQ20261124-000007"
    assert page.find("a", attrs={"data-ipps-print": True}) is not None
    # signed (8.2.6 b): the verification code, and the QR code of the verification address
    assert "ABCD-EFGH-JKLM-NPQR" in text
    qr = page.find("img", class_="ipps-receipt__qr")
    assert qr["src"] == "/api/verify/qr.svg?receipt_no=SQ20261124-000007&code=ABCD-EFGH-JKLM-NPQR"
    assert qr["alt"].startswith("文书核验二维码")
    # printed, the receipt says who issued it (the site's header and footer do not print)
    issuer = page.find(class_="ipps-receipt__issuer").get_text()
    assert catalog.platform.name in issuer and catalog.platform.phones[0].number in issuer
    consultation = service_render(
        env,
        catalog,
        "forms/receipt.html",
        kind="consultation",
        receipt={
            "receipt_no": "ZX20261124-000001",
            "lookup_code": "X",
            "status": "已提交",
            "reply_due": "2026-11-27",
        },
    )
    assert "2026年11月27日" in consultation.get_text() and "暂按" not in consultation.get_text()
    bad = service_render(
        env, catalog, "forms/receipt.html", kind="rating", receipt={"receipt_no": "PJ1", "bad": True}
    )
    days = catalog.platform.settings.bad_rating_days
    assert f"{days} 个工作日" in bad.find(attrs={"data-ipps-if": "bad"}).get_text()
    good = service_render(
        env, catalog, "forms/receipt.html", kind="rating", receipt={"receipt_no": "PJ1", "bad": False}
    )
    assert good.find(attrs={"data-ipps-if": "bad"}) is None and "感谢" in good.h1.get_text()


def test_the_lookup_result_page(env: Any, catalog: Catalog) -> None:
    record = {
        "kind": "application",
        "receipt_no": "SQ20261124-000007",
        "status": "需补正",
        "submitted_at": "2026-11-24T09:05:00+08:00",
        "item": {"code": "x", "slug": "patent-pledge", "name": "专利权质押登记"},
        "timeline": [
            {"at": "2026-11-24T09:05:00+08:00", "state": "已提交", "note": "收到网上申请，材料 3 份"},
            {
                "at": "2026-11-24T10:00:00+08:00",
                "state": "需补正",
                "note": "请补正：专利权质押合同（缺少质权人盖章）",
                "actor": "wang",
                "role": "acceptor",
            },
        ],
        "corrections": [
            {
                "requested_at": "2026-11-24T10:00:00+08:00",
                "materials": [{"id": "pledge_contract", "name": "专利权质押合同", "note": "缺少质权人盖章"}],
                "note": "请核对担保金额",
            }
        ],
        "materials": [{"name": "专利权质押合同", "size": 2048}],
    }
    view = public_view(record, rated=False)
    page = service_render(env, catalog, "forms/lookup-result.html", view=view, code="AB12CD34")
    text = page.get_text(" ", strip=True)
    for expected in (
        "需补正",
        "2026年11月24日 09:05",
        "专利权质押合同：缺少质权人盖章",
        "请核对担保金额",
        "2 KB",
        "自受理之日起计算",
    ):
        assert expected in text
    assert "wang" not in text  # who on the staff acted stays in the console
    fix = page.select_one("[data-ipps-correction-link]")
    assert fix["href"] == "/api/lookup/SQ20261124-000007/correction?code=AB12CD34"
    assert page.find("a", string=re.compile("评价办件")) is None  # not before it is finished
    done = public_view({**record, "status": "已办结", "result": {"text": "准予登记"}}, rated=False)
    page = service_render(env, catalog, "forms/lookup-result.html", view=done, code="AB12CD34")
    rate = page.find("a", string=re.compile("评价办件"))
    assert rate["href"] == "/rate/?receipt_no=SQ20261124-000007"
    rated = public_view({**record, "status": "已办结", "result": {"text": "准予登记"}}, rated=True)
    page = service_render(env, catalog, "forms/lookup-result.html", view=rated, code="AB12CD34")
    assert page.find("a", string=re.compile("评价办件")) is None
    assert "已经评价过了" in page.get_text()


def test_the_message_page(env: Any, catalog: Catalog) -> None:
    page = service_render(
        env,
        catalog,
        "forms/message.html",
        title="提交的内容过大",
        message="请求超过 20 MB",
        fields={},
        status=413,
    )
    assert page.h1.get_text(strip=True) == "提交的内容过大"
    alert = page.find(attrs={"role": "alert"})
    assert alert.get_text(strip=True) == "请求超过 20 MB"
    assert "压缩" in page.get_text()
