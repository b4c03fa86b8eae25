"""差评 cases (opened by a rating of level 4 or 5) and complaints and suggestions (9.3 b, c):
how they are opened, handled in the console, and answered to the person who raised them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.query import Query
from generator import workdays
from generator.site import urls
from generator.workdays import china_tz
from tests.api import JSON, PLEDGE, consultation, pledge_fields, pledge_files, store_of
from tests.conftest import html_of
from tests.console import act, actions_offered, console_client, log_in, run_jobs_at, settled_notices, soup

HTML = {"Accept": "text/html"}


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


def store(console: Any) -> Any:
    return store_of(console)


def complaint(**changes: Any) -> dict[str, Any]:
    values = {
        "type": "投诉",
        "name": "周敏",
        "phone": "13900139000",
        "subject": "窗口等候时间过长",
        "message": "11 月 20 日上午在综合窗口排队一个多小时，只开了一个窗口。",
    }
    return {**values, **changes}


def completed_application(console: Any) -> dict[str, Any]:
    receipt = console.post(
        "/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON
    ).json()
    log_in(console, "wang")
    act(console, receipt["receipt_no"], "accept")
    log_in(console, "li")
    act(console, receipt["receipt_no"], "complete", result="准予登记")
    console.cookies.clear()
    return receipt


# --- 差评 cases -------------------------------------------------------------------------------


def test_a_bad_rating_of_a_receipt_opens_a_named_case_for_the_items_department(console: Any) -> None:
    receipt = completed_application(console)
    answer = console.post(
        "/api/ratings",
        json={
            "receipt_no": receipt["receipt_no"],
            "lookup_code": receipt["lookup_code"],
            "level": "5",
            "comment": "登记通知书晚了两天",
        },
        headers=JSON,
    )
    assert answer.status_code == 201 and answer.json()["bad"] is True
    [case] = list(store(console).documents("case"))
    today = dt.datetime.now(china_tz()).date()
    assert case["due_date"] == workdays.add_working_days(today, 5).date.isoformat()  # bad_rating_days
    assert answer.json()["case_due"] == case["due_date"]
    assert case["named"] is True and case["rated_receipt"] == receipt["receipt_no"]
    assert case["department"] == "market-regulation" and case["status"] == "待处理"
    assert case["comment"] == "登记通知书晚了两天" and case["level"] == 5


def test_good_ratings_open_no_case_and_an_anonymous_bad_one_opens_an_unnamed_case(console: Any) -> None:
    assert (
        console.post("/api/ratings", json={"item_code": PLEDGE, "level": "2"}, headers=JSON).status_code
        == 201
    )
    assert list(store(console).documents("case")) == []
    bad = {"item_code": PLEDGE, "level": "4", "comment": "指南没写清楚合同要不要公证"}
    assert console.post("/api/ratings", json=bad, headers=JSON).status_code == 201
    [case] = list(store(console).documents("case"))
    assert (
        case["named"] is False and case["rated_receipt"] == "" and case["department"] == "market-regulation"
    )


def test_a_named_case_is_visited_before_it_closes_and_its_outcome_is_kept(console: Any) -> None:
    receipt = completed_application(console)
    rating = {"receipt_no": receipt["receipt_no"], "lookup_code": receipt["lookup_code"], "level": "4"}
    console.post("/api/ratings", json={**rating, "comment": "等了很久"}, headers=JSON)
    [case] = list(store(console).documents("case"))
    number = case["receipt_no"]

    log_in(console, "zhao")  # another department's handler does not see it
    assert console.get(f"/staff/records/{number}").status_code == 403
    log_in(console, "li")
    page = soup(console.get("/staff/", params={"queue": "cases"}).text)
    assert [a.get_text() for a in page.select(".ipps-staff-queue tbody td:first-child a")] == [number]
    assert actions_offered(console, number) == ["record_visit"]  # closing waits for the visit
    form = soup(console.get(f"/staff/records/{number}").text).select_one("form[action$='/record_visit']")
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    refused = console.post(
        f"/staff/records/{number}/actions/close_case",
        data={**hidden, "outcome": "整改", "text": "已调整排班"},
    )
    assert refused.status_code == 409 and "实名差评须先记录回访" in soup(refused.text).get_text()
    bad_visit = act(console, number, "record_visit", method="电话", note="")
    assert bad_visit.status_code == 422
    links = [a["href"] for a in soup(bad_visit.text).select("#action-record_visit .ipps-error-summary a")]
    assert links == ["#record_visit-satisfaction", "#record_visit-note"]
    assert (
        act(console, number, "record_visit", method="电话", satisfaction="2", note="认可").status_code == 303
    )
    appeal = act(console, number, "close_case", outcome="申诉复核", text="申请人申诉")
    assert appeal.status_code == 422  # an appeal needs its decision
    done = act(console, number, "close_case", outcome="申诉复核", text="申请人申诉", decision="维持差评")
    assert done.status_code == 303
    closed = store(console).get(number)
    assert closed["status"] == "已办结" and closed["outcome"]["decision"] == "维持差评"
    assert closed["return_visit"]["satisfaction"] == "2"
    actions = [e["action"] for e in store(console).find(Query("audit", target=number), 10_000).rows]
    assert sorted(actions) == ["close_case", "record_visit"]


# --- complaints and suggestions ----------------------------------------------------------------


def test_a_complaint_is_answered_within_its_days_and_the_answer_reaches_the_lookup(console: Any) -> None:
    answer = console.post("/api/complaints", json=complaint(), headers=JSON)
    assert answer.status_code == 201
    receipt = answer.json()
    assert receipt["receipt_no"].startswith("TS")
    today = dt.datetime.now(china_tz()).date()
    assert (
        receipt["reply_due"] == workdays.add_working_days(today, 3).date.isoformat()
    )  # complaint_reply_days

    def view() -> dict[str, Any]:
        looked = console.get(
            f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]}, headers=JSON
        )
        assert looked.status_code == 200
        return looked.json()

    assert view()["kind"] == "投诉建议" and view()["status"] == "已提交"
    log_in(console, "wang")  # the acceptor does not answer complaints
    assert "answer" not in actions_offered(console, receipt["receipt_no"])
    log_in(console, "sun")
    page = soup(console.get("/staff/", params={"queue": "complaints"}).text)
    assert [a.get_text() for a in page.select(".ipps-staff-queue tbody td:first-child a")] == [
        receipt["receipt_no"]
    ]
    assert act(console, receipt["receipt_no"], "answer", text="已增开两个综合窗口。").status_code == 303
    looked = view()
    assert looked["status"] == "已答复" and looked["reply"]["text"] == "已增开两个综合窗口。"
    assert looked["may_rate"] is False  # complaints are not rated
    notices = settled_notices(console, receipt["receipt_no"])  # the SMS went out (logged adapter)
    assert [(n.payload["event"], n.payload["channel"], n.status) for n in notices] == [
        ("replied", "sms", "done")
    ]


def test_a_complaint_needs_a_way_to_answer_and_its_type(console: Any) -> None:
    answer = console.post("/api/complaints", json=complaint(phone="", type="意见"), headers=JSON)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"type", "phone"}


def test_the_complaint_page_works_without_javascript(console: Any, built_site: Path) -> None:
    page = html_of(built_site, urls.COMPLAIN)
    form = page.select_one("form[data-ipps-form='complaint']")
    assert form["action"] == "../api/complaints" and form["method"] == "post"
    names = [i["name"] for i in form.select("input, textarea") if i.get("type") != "hidden"]
    assert {"type", "name", "phone", "email", "receipt_no", "subject", "message"} <= set(names)
    posted = console.post("/api/complaints", data=complaint(type="建议"), headers=HTML)
    assert posted.status_code == 201
    receipt = soup(posted.text)
    assert receipt.select_one("[data-ipps-receipt-title]").get_text(strip=True) == "投诉建议已提交"


def test_overdue_complaints_are_flagged(console: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    receipt = console.post("/api/complaints", json=complaint(), headers=JSON).json()
    from forms_api.console import workbench

    later = dt.datetime.now(china_tz()) + dt.timedelta(days=14)
    monkeypatch.setattr(workbench, "now", lambda: later)
    log_in(console, "sun")
    page = soup(console.get("/staff/", params={"queue": "complaints_overdue"}).text)
    [row] = page.select(".ipps-staff-queue tbody tr")
    assert row["data-deadline"] == "overdue" and receipt["receipt_no"] in row.get_text()


# --- the rating invitation (F.1.3) -----------------------------------------------------------


def test_a_consultation_is_rated_after_it_is_answered(console: Any) -> None:
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()

    def may_rate() -> bool:
        return console.get(
            f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]}, headers=JSON
        ).json()["may_rate"]

    assert may_rate() is False
    log_in(console, "wang")
    act(console, receipt["receipt_no"], "reply", text="请准备质押合同。")
    assert may_rate() is True
    rating = {"receipt_no": receipt["receipt_no"], "lookup_code": receipt["lookup_code"], "level": "1"}
    assert console.post("/api/ratings", json=rating, headers=JSON).status_code == 201
    assert may_rate() is False


# --- the return-visit schedule (9.2) -----------------------------------------------------------


def test_the_schedule_picks_a_fixed_share_of_completed_applications() -> None:
    from forms_api.domain.casework import sampled

    numbers = [f"SQ20261125-{n:06d}" for n in range(1, 2001)]
    picked = [n for n in numbers if sampled(n, 10)]
    assert 150 <= len(picked) <= 250  # about 10 %
    assert picked == [n for n in numbers if sampled(n, 10)]  # the same choice every time
    assert not any(sampled(n, 0) for n in numbers) and all(sampled(n, 100) for n in numbers)


def test_a_picked_application_gets_a_return_visit_that_staff_record(
    console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forms_api.domain import casework

    monkeypatch.setattr(casework, "sampled", lambda receipt_no, percent: True)
    receipt = completed_application(console)
    assert list(store(console).documents("visit")) == []  # not yet: on the next working morning
    settled_notices(console, receipt["receipt_no"])  # the in-process runner has sent those
    (job,) = [j for j in store(console).jobs_of(receipt["receipt_no"]) if j.task == "visit"]
    completed = dt.datetime.now(china_tz()).date()
    assert job.run_at == dt.datetime.combine(
        workdays.add_working_days(completed, 1).date, dt.time(9), china_tz()
    )
    run_jobs_at(console, job.run_at - dt.timedelta(minutes=1))
    assert list(store(console).documents("visit")) == []
    run_jobs_at(console, job.run_at)
    run_jobs_at(console, job.run_at + dt.timedelta(hours=1))
    [visit] = list(store(console).documents("visit"))
    assert visit["visited_receipt"] == receipt["receipt_no"] and visit["status"] == "待回访"
    assert visit["department"] == "market-regulation"
    log_in(console, "li")
    page = soup(console.get("/staff/", params={"queue": "visits"}).text)
    assert [a.get_text() for a in page.select(".ipps-staff-queue tbody td:first-child a")] == [
        visit["receipt_no"]
    ]
    answer = act(console, visit["receipt_no"], "record_visit", method="电话", satisfaction="1", note="很满意")
    assert answer.status_code == 303
    done = store(console).get(visit["receipt_no"])
    assert done["status"] == "已回访" and done["return_visit"]["satisfaction"] == "1"


def test_an_application_the_schedule_skips_gets_no_visit(
    console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forms_api.domain import casework

    monkeypatch.setattr(casework, "sampled", lambda receipt_no, percent: False)
    receipt = completed_application(console)
    assert [j for j in store(console).jobs_of(receipt["receipt_no"]) if j.task == "visit"] == []
    run_jobs_at(console, dt.datetime.now(china_tz()) + dt.timedelta(days=30))
    assert list(store(console).documents("visit")) == []
