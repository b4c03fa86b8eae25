"""The staff console's record pages and actions, the applicant's corrections and result
download, the audit log and personal-data reveal, through the real application."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.query import Query
from generator.workdays import china_tz
from tests.api import JSON, consultation, id_number, pdf, pledge_fields, pledge_files, service_of, store_of
from tests.console import act, actions_offered, console_client, log_in, record_page, settled_notices, soup

HTML = {"Accept": "text/html"}


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


def submit(console: Any) -> dict[str, Any]:
    answer = console.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
    assert answer.status_code == 201
    return answer.json()


def lookup(console: Any, receipt: dict[str, Any]) -> dict[str, Any]:
    answer = console.get(
        f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]}, headers=JSON
    )
    assert answer.status_code == 200
    return answer.json()


def audit(console: Any, receipt_no: str) -> list[dict[str, Any]]:
    """The audit entries of a record, oldest first (read from the store)."""
    store = store_of(console)
    return sorted(store.find(Query("audit", target=receipt_no), 10_000).rows, key=lambda e: e["audit_no"])


# --- the whole way through ------------------------------------------------------------------------


def test_correction_acceptance_progress_and_completion_reach_the_applicant(console: Any) -> None:
    receipt = submit(console)
    number = receipt["receipt_no"]
    log_in(console, "wang")
    assert actions_offered(console, number) == ["accept", "request_correction", "refuse"]

    # the acceptor lists every problem at once
    answer = act(
        console,
        number,
        "request_correction",
        materials=["pledge_contract"],
        **{"material_note:pledge_contract": "缺少质权人盖章"},
        note="担保金额与合同不一致",
    )
    assert (
        answer.status_code == 303
        and answer.headers["location"] == f"/staff/records/{number}?done=request_correction"
    )
    view = lookup(console, receipt)
    assert view["status"] == "需补正"
    assert view["corrections"] == ["专利权质押合同：缺少质权人盖章", "担保金额与合同不一致"]
    assert all("actor" not in step and "role" not in step for step in view["timeline"])
    assert "wang" not in str(view)

    # the applicant must send every listed material at once
    form_url = f"/api/lookup/{number}/correction"
    page = soup(console.get(form_url, params={"code": receipt["lookup_code"]}, headers=HTML).text)
    assert [i["name"] for i in page.select("form input[type=file]")] == ["pledge_contract"]
    missing = console.post(form_url, data={"code": receipt["lookup_code"]}, headers=JSON)
    assert missing.status_code == 422 and set(missing.json()["error"]["fields"]) == {"pledge_contract"}
    wrong_code = console.post(
        form_url,
        data={"code": "WRONG123"},
        files={"pledge_contract": ("c.pdf", pdf(), "application/pdf")},
        headers=JSON,
    )
    assert wrong_code.status_code == 404
    sent = console.post(
        form_url,
        data={"code": receipt["lookup_code"], "note": "已补盖章"},
        files={"pledge_contract": ("contract-v2.pdf", pdf(3000), "application/pdf")},
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    view = lookup(console, receipt)
    assert view["status"] == "已提交" and view["corrections"] == [] and "correction_url" not in view
    assert [m["name"] for m in view["materials"]][-1] == "专利权质押合同"
    again = console.post(
        form_url,
        data={"code": receipt["lookup_code"]},
        files={"pledge_contract": ("c.pdf", pdf(), "application/pdf")},
        headers=JSON,
    )
    assert again.status_code == 409  # one correction per request

    assert act(console, number, "accept").status_code == 303
    view = lookup(console, receipt)
    assert view["status"] == "已受理" and view["accepted"] and view["due_date"]

    # the handler of the item's department takes it from here
    log_in(console, "li")
    assert actions_offered(console, number) == ["progress", "complete"]
    assert act(console, number, "progress", text="已完成审查，正在登记").status_code == 303
    result_pdf = pdf(4000)
    done = act(
        console,
        number,
        "complete",
        files={"document_file": ("登记通知书.pdf", result_pdf, "application/pdf")},
        result="准予登记",
        document="质押登记字〔2026〕第 18 号",
    )
    assert done.status_code == 303
    view = lookup(console, receipt)
    assert view["status"] == "已办结"
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", view["result"].pop("verify_code"))  # signed
    assert view["result"] == {
        "text": "准予登记",
        "document": "质押登记字〔2026〕第 18 号",
        "file": {"name": "登记通知书.pdf", "size": len(result_pdf)},
    }
    download = console.get(f"/api/lookup/{number}/result-file", params={"code": receipt["lookup_code"]})
    assert download.status_code == 200 and download.content == result_pdf
    assert download.headers["content-type"] == "application/pdf"
    assert console.get(f"/api/lookup/{number}/result-file", params={"code": "WRONG123"}).status_code == 404

    # what the applicant is told and what the audit log keeps
    notices = settled_notices(console, number)
    sms = [
        (n.payload["event"], n.status, n.history[-1]["to"]) for n in notices if n.payload["channel"] == "sms"
    ]
    assert sms == [
        (event, "done", "138****8000") for event in ("correction", "accepted", "in_progress", "completed")
    ]
    # no mail server configured here: only text messages are queued
    assert {n.payload["channel"] for n in notices} == {"sms"}
    entries = audit(console, number)
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("wang", "request_correction"),
        ("申请人", "receive_correction"),
        ("wang", "accept"),
        ("li", "progress"),
        ("li", "complete"),
    ]
    assert entries[2]["before"]["status"] == "已提交" and entries[2]["after"]["status"] == "已受理"
    assert entries[-1]["after"]["result"]["text"] == "准予登记"


def test_notices_are_sent_to_a_real_smtp_server_and_recorded(
    built_site: Path, tmp_path: Path, smtp_server: Any
) -> None:
    controller, inbox = smtp_server
    settings = {"smtp_host": "127.0.0.1", "smtp_port": controller.port, "smtp_security": "none"}
    settings["smtp_sender"] = "noreply@ipps.example.cn"
    with console_client(built_site, tmp_path / "data", **settings) as console:
        receipt = submit(console)
        log_in(console, "wang")
        assert act(console, receipt["receipt_no"], "accept").status_code == 303
        notices = settled_notices(console, receipt["receipt_no"])
        shown = record_page(console, receipt["receipt_no"]).select("#notices ~ ul li[data-job]")
    [mail] = inbox.messages()
    assert mail["To"] == "linxiao@example.com" and receipt["receipt_no"] in mail["Subject"]
    assert mail["Message-ID"].endswith("@ipps.example.cn>")
    assert {(n.payload["channel"], n.status, n.history[-1]["to"]) for n in notices} == {
        ("email", "done", "l***@example.com"),
        ("sms", "done", "138****8000"),
    }
    assert [li["data-status"] for li in shown] == ["done", "done"]
    assert "已完成" in shown[0].get_text() and "l***@example.com" in shown[0].get_text()


# --- refusals ---------------------------------------------------------------------------------


def test_a_form_drawn_before_someone_else_acted_is_refused(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    page = record_page(console, number)
    stale = {i["name"]: i["value"] for i in page.select("form[action$='/actions/refuse'] input[type=hidden]")}
    assert act(console, number, "accept").status_code == 303
    answer = console.post(f"/staff/records/{number}/actions/refuse", data={**stale, "reason": "材料不全"})
    assert answer.status_code == 409 and "已被其他人更新" in answer.text
    assert store_of(console).get(number)["status"] == "已受理"


def test_actions_without_the_session_token_are_refused_and_change_nothing(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    answer = console.post(f"/staff/records/{number}/actions/accept", data={"csrf": "forged", "revision": "0"})
    assert answer.status_code == 403
    answer = console.post(f"/staff/records/{number}/actions/accept", data={"revision": "0"})
    assert answer.status_code == 403
    assert store_of(console).get(number)["status"] == "已提交"
    assert audit(console, number) == []


def test_actions_a_role_may_not_take_or_not_now_are_refused(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "li")  # a handler may not accept
    token = record_page(console, number).select_one("input[name=csrf]")["value"]
    answer = console.post(f"/staff/records/{number}/actions/accept", data={"csrf": token, "revision": "0"})
    assert answer.status_code == 403 and "无权" in soup(answer.text).get_text()
    answer = console.post(
        f"/staff/records/{number}/actions/complete", data={"csrf": token, "revision": "0", "result": "x"}
    )
    assert answer.status_code == 409 and "已提交" in soup(answer.text).get_text()  # not accepted yet
    log_in(console, "zhao")  # a handler of another department does not even see it
    assert console.get(f"/staff/records/{number}").status_code == 403
    assert store_of(console).get(number)["status"] == "已提交"


def test_a_refusal_needs_its_reason_and_the_page_says_so_at_the_form(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    answer = act(console, number, "refuse", reason="  ")
    assert answer.status_code == 422
    page = soup(answer.text)
    assert page.select_one("#action-refuse .ipps-error-summary a")["href"] == "#refuse-reason"
    assert store_of(console).get(number)["status"] == "已提交"


def test_a_result_document_of_the_wrong_type_is_refused_with_the_other_problems(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    act(console, number, "accept")
    log_in(console, "li")
    answer = act(
        console, number, "complete", files={"document_file": ("x.pdf", b"MZ\x90\x00", "application/pdf")}
    )
    assert answer.status_code == 422
    links = [a["href"] for a in soup(answer.text).select("#action-complete .ipps-error-summary a")]
    assert links == ["#complete-result", "#complete-document_file"]
    assert store_of(console).get(number)["status"] == "已受理"
    assert len(list(console.app.state.service.blobs.names())) == 3  # nothing kept of the refused file


# --- consultations ----------------------------------------------------------------------------


def test_a_consultation_is_assigned_answered_and_the_reply_reaches_the_lookup(console: Any) -> None:
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    number = receipt["receipt_no"]
    log_in(console, "li")
    assert console.get(f"/staff/records/{number}").status_code == 403  # not assigned to her yet
    log_in(console, "wang")
    assert act(console, number, "assign", department="market-regulation").status_code == 303
    log_in(console, "li")
    assert act(console, number, "reply", text="需要准备质押合同和登记申请表。").status_code == 303
    view = lookup(console, receipt)
    assert view["status"] == "已答复" and view["reply"]["text"] == "需要准备质押合同和登记申请表。"
    log_in(console, "sun")
    assert act(console, number, "mark_faq").status_code == 303
    page = soup(console.get("/staff/?queue=faq").text)
    assert [a.get_text() for a in page.select(".ipps-staff-queue tbody a")] == [number]


# --- personal data ----------------------------------------------------------------------------


def test_personal_data_is_masked_until_revealed_and_each_reveal_is_logged(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    page = record_page(console, number)
    text = page.select_one(".ipps-staff-person").get_text()
    assert id_number() not in text and "13800138000" not in text and "林晓" not in text
    token = page.select_one("input[name=csrf]")["value"]
    answer = console.post(f"/staff/records/{number}/reveal", data={"csrf": token, "reason": "电话核实"})
    assert answer.status_code == 200
    shown = soup(answer.text).select_one(".ipps-staff-person")
    assert shown["data-revealed"] == "yes"
    assert {id_number(), "13800138000", "林晓"} <= set(
        dd.get_text().split("（")[0] for dd in shown.select("dd")
    )
    [entry] = audit(console, number)
    assert (
        entry["action"] == "reveal"
        and entry["actor"] == "wang"
        and entry["details"] == {"reason": "电话核实"}
    )
    # the next page view is masked again
    assert id_number() not in record_page(console, number).select_one(".ipps-staff-person").get_text()
    # opening a material is logged too
    assert console.get(f"/staff/records/{number}/files/0").status_code == 200
    assert [e["action"] for e in audit(console, number)] == ["reveal", "material"]


def test_the_auditor_reads_the_log_but_may_not_reveal_or_act(console: Any) -> None:
    number = submit(console)["receipt_no"]
    log_in(console, "wang")
    act(console, number, "accept")
    log_in(console, "qian")
    page = record_page(console, number)
    assert (
        page.select("form[action*='/actions/']") == [] and page.select_one("form[action$='/reveal']") is None
    )
    token = page.select_one("input[name=csrf]")["value"]
    assert console.post(f"/staff/records/{number}/reveal", data={"csrf": token}).status_code == 403
    log = soup(console.get("/staff/audit", params={"record": number}).text)
    [row] = log.select(".ipps-staff-audit tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[1] == "wang（受理员）" and cells[2].startswith("受理") and cells[3] == number
    assert "已提交 → 已受理" in cells[4]
    log_in(console, "wang")
    assert console.get("/staff/audit").status_code == 403


# --- queues and search ------------------------------------------------------------------------


def test_the_queues_and_the_search_find_the_work(console: Any) -> None:
    first, second = submit(console)["receipt_no"], submit(console)["receipt_no"]
    other = console.post(
        "/api/applications", data=pledge_fields(applicant_name="陈思远"), files=pledge_files(), headers=JSON
    ).json()["receipt_no"]
    log_in(console, "wang")
    act(console, second, "request_correction", materials=["pledge_contract"])

    def listed(**params: str) -> list[str]:
        page = soup(console.get("/staff/", params=params).text)
        return [a.get_text() for a in page.select(".ipps-staff-queue tbody td:first-child a")]

    assert listed() == [other, first]  # 待受理, newest first
    assert listed(queue="correction") == [second]
    assert listed(queue="all", q="陈思远") == [other]
    assert listed(queue="all", q=first[-6:]) == [first]
    assert listed(queue="all", item="no-such-item") == []
    assert listed(queue="all", since="2000-01-01", until="2000-01-02") == []
    page = soup(console.get("/staff/", params={"since": "昨天"}).text)
    assert page.select_one(".ipps-error-summary a")["href"] == "#search-since"
    counts = {
        a["data-queue"]: a.select_one(".ipps-count").get_text()
        for a in soup(console.get("/staff/").text).select("[data-queue]")
        if a.select_one(".ipps-count")
    }
    assert counts["new"] == "2" and counts["correction"] == "1" and counts["overdue"] == "0"


# --- deadlines: 示警 and 催告 -------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the service's time (China) for the console's actions and queues."""
    from forms_api.console import records, workbench
    from forms_api.domain import casework

    def set_to(text: str) -> None:
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=china_tz())
        for module in (casework, records, workbench):
            monkeypatch.setattr(module, "now", lambda: moment)

    return set_to


def test_overdue_work_is_flagged_reminded_and_needs_a_reason_to_complete(console: Any, clock: Any) -> None:
    receipt = submit(console)
    number = receipt["receipt_no"]
    clock("2026-11-26T10:00:00")  # Thursday; 专利权质押登记 is promised in 2 working days
    log_in(console, "wang")
    act(console, number, "accept")
    assert store_of(console).get(number)["due_date"] == "2026-11-30"

    def queue(name: str) -> list[str]:
        page = soup(console.get("/staff/", params={"queue": name}).text)
        return [a.get_text() for a in page.select(".ipps-staff-queue tbody td:first-child a")]

    clock("2026-11-27T09:00:00")  # Friday: due on the next working day
    assert queue("due_soon") == [number] and queue("overdue") == []
    clock("2026-12-02T09:00:00")  # Wednesday: two working days late
    assert queue("overdue") == [number] and queue("due_soon") == []
    log_in(console, "sun")
    assert "remind" in actions_offered(console, number)
    assert act(console, number, "remind", note="请今天办结").status_code == 303
    log_in(console, "li")
    page = soup(console.get("/staff/", params={"queue": "overdue"}).text)
    flags = [f.get_text(strip=True) for f in page.select(".ipps-staff-queue tbody .ipps-flag")]
    assert flags == ["超期 2 个工作日", "已催告"]
    refused = act(console, number, "complete", result="准予登记")
    assert refused.status_code == 422
    assert [a["href"] for a in soup(refused.text).select("#action-complete .ipps-error-summary a")] == [
        "#complete-overdue_reason"
    ]
    done = act(console, number, "complete", result="准予登记", overdue_reason="质权人盖章核实耗时")
    assert done.status_code == 303
    record = store_of(console).get(number)
    assert record["completed_late"] and record["completed_overdue_days"] == 2
    assert record["overdue_reason"]["reason"] == "质权人盖章核实耗时"
    notes = [step["note"] for step in record["timeline"]]
    assert "已催告部门（market-regulation）：超过期限 2 个工作日" in notes
    public = service_of(console).lookup(number, receipt["lookup_code"])
    assert [step["state"] for step in public["timeline"]] == ["已提交", "已受理", "已办结"]  # no 催告
