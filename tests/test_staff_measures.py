"""改进措施 (9.3 a, d) in the console: recorded and updated by supervisors and administrators,
read by auditors, checked field by field, guarded against stale forms, audited in the same
write, flagged when overdue, and registered from a 差评, complaint or return visit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.domain.receipts import PREFIXES
from generator.workdays import china_tz
from tests.api import JSON, PLEDGE, pledge_fields, pledge_files, store_of
from tests.console import console_client, log_in, soup

COMPLAINT = {
    "type": "投诉",
    "name": "周敏",
    "phone": "13900139000",
    "subject": "窗口等候时间过长",
    "message": "11 月 20 日上午在综合窗口排队一个多小时，只开了一个窗口。",
}
MEASURE = {
    "title": "高峰时段增开综合窗口",
    "problem": "上午 9 点到 11 点综合窗口排队超过一小时，群众投诉等候时间过长。",
    "source": "投诉",
    "item": PLEDGE,
    "owner": "public-service-center",
    "due_date": "2026-12-31",
    "status": "计划中",
    "effect": "",
}


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the time (China) the measures are recorded and listed at."""
    from forms_api.console import measures as pages
    from forms_api.domain import measures

    def set_to(text: str) -> None:
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=china_tz())
        for module in (measures, pages):
            monkeypatch.setattr(module, "now", lambda: moment)

    set_to("2026-11-24T10:00:00")
    return set_to


def store(console: Any) -> Any:
    return store_of(console)


def measure_form(console: Any, path: str = "/staff/measures/new", **params: str) -> Any:
    answer = console.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return soup(answer.text).select_one("form[action^='/staff/measures']")


def form_values(form: Any) -> dict[str, Any]:
    """What the form holds now, as a browser would send it."""
    values: dict[str, Any] = {}
    for control in form.select("input, textarea, select"):
        name, kind = control.get("name"), control.get("type", "")
        if not name or (kind in ("radio", "checkbox") and not control.has_attr("checked")):
            continue
        if control.name == "textarea":
            values[name] = control.get_text()
        elif control.name == "select":
            chosen = control.select_one("option[selected]")
            values[name] = chosen["value"] if chosen else ""
        else:
            values[name] = control.get("value", "")
    return values


def submit(console: Any, form: Any, **changes: Any) -> Any:
    """Post ``form`` as shown, with ``changes`` typed in (None: a control left empty/unticked)."""
    data = {**form_values(form), **changes}
    return console.post(
        form["action"], data={k: v for k, v in data.items() if v is not None}, follow_redirects=False
    )


def create(console: Any, **changes: Any) -> str:
    answer = submit(console, measure_form(console), **{**MEASURE, **changes})
    assert answer.status_code == 303, soup(answer.text).get_text(" ", strip=True)
    return answer.headers["location"].split("?")[0].rsplit("/", 1)[1]


def facts(page: Any) -> dict[str, str]:
    return {dd["data-field"]: dd.get_text(" ", strip=True) for dd in page.select("[data-field]")}


def field_errors(page: Any) -> dict[str, str]:
    return {
        f["data-ipps-field"]: f.select_one(".ipps-error-message").get_text(strip=True).removeprefix("错误：")
        for f in page.select(".ipps-field--error[data-ipps-field]")
    }


def complaint(console: Any) -> str:
    answer = console.post("/api/complaints", json=COMPLAINT, headers=JSON)
    assert answer.status_code == 201
    return answer.json()["receipt_no"]


def bad_rating_case(console: Any) -> str:
    rating = {"item_code": PLEDGE, "level": "4", "comment": "指南没写清楚合同要不要公证"}
    assert console.post("/api/ratings", json=rating, headers=JSON).status_code == 201
    [case] = list(store(console).documents("case"))
    return case["receipt_no"]


def csrf_of(console: Any) -> str:
    return soup(console.get("/staff/").text).select_one("input[name=csrf]")["value"]


# --- recording and reading ------------------------------------------------------------------


def test_a_supervisor_records_a_measure_with_every_field_and_reads_it_back(console: Any, clock: Any) -> None:
    source_no = complaint(console)
    log_in(console, "sun")
    number = create(console, source_no=source_no.lower(), public="yes")
    assert PREFIXES["measure"] == "GJ" and re.fullmatch(r"GJ20261124-\d{6}", number)

    record = store(console).get(number)
    assert record["kind"] == "measure" and record["measure_no"] == number
    assert {k: record[k] for k in ("title", "problem", "source", "owner", "due_date", "status")} == {
        k: MEASURE[k] for k in ("title", "problem", "source", "owner", "due_date", "status")
    }
    assert record["source_no"] == source_no and record["public"] is True and record["effect"] == ""
    assert record["item"] == {"code": PLEDGE, "slug": "patent-pledge", "name": "专利权质押登记"}
    assert record["created_by"] == "sun" and record["created_at"] == "2026-11-24T10:00:00+08:00"
    assert record["updated_at"] == record["created_at"] and record["completed_at"] is None
    assert record["revision"] == 0 and len(record["timeline"]) == 1

    answer = console.get(f"/staff/measures/{number}", params={"done": "created"})
    page = soup(answer.text)
    assert page.select_one("[data-ipps-done]").get_text(strip=True) == "改进措施已登记。"
    shown = facts(page)
    assert shown["title"] == MEASURE["title"] and shown["status"] == "计划中"
    assert shown["source"] == "投诉建议" and shown["source_no"] == source_no
    assert page.select_one("[data-field=source_no] a")["href"] == f"/staff/records/{source_no}"
    assert shown["item"] == "专利权质押登记" and shown["owner"] == "示范市知识产权公共服务中心"
    assert shown["due_date"] == "2026年12月31日" and shown["public"] == "在评价结果公开页面上公开"
    assert shown["problem"] == MEASURE["problem"] and shown["created"] == "2026-11-24 10:00 · sun"
    # the edit form is drawn from the stored measure
    form = page.select_one(f"form[action='/staff/measures/{number}']")
    assert form_values(form) | {"csrf": ""} == {
        **MEASURE,
        "source_no": source_no,
        "public": "yes",
        "revision": "0",
        "csrf": "",
    }
    # and the list shows it
    rows = soup(console.get("/staff/measures").text).select("tr[data-measure]")
    assert [r["data-measure"] for r in rows] == [number]
    cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert cells[1].startswith(MEASURE["title"]) and cells[5] == "计划中" and cells[6] == "公开"


def test_the_list_is_newest_first_and_filtered_by_status(console: Any, clock: Any) -> None:
    log_in(console, "admin")
    first = create(console)
    second = create(console, title="差评回访话术培训", status="进行中")
    page = soup(console.get("/staff/measures").text)
    assert [r["data-measure"] for r in page.select("tr[data-measure]")] == [second, first]
    counts = {a["data-status"]: a.select_one(".ipps-count").get_text() for a in page.select("[data-status]")}
    assert counts == {"": "2", "计划中": "1", "进行中": "1", "已完成": "0"}
    page = soup(console.get("/staff/measures", params={"status": "进行中"}).text)
    assert [r["data-measure"] for r in page.select("tr[data-measure]")] == [second]


def test_each_problem_is_told_at_its_field_and_nothing_is_stored(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    form = measure_form(console)
    answer = submit(
        console,
        form,
        **{
            **MEASURE,
            "title": "",
            "due_date": "2026-02-30",
            "owner": "no-such-department",
            "source_no": "TS20990101-000001",
            "status": "已完成",
        },
    )
    assert answer.status_code == 422
    page = soup(answer.text)
    errors = field_errors(page)
    assert set(errors) == {"title", "source_no", "owner", "due_date", "effect"}
    assert errors["title"] == "请填写措施"
    assert "TS20990101-000001" in errors["source_no"] and "找不到" in errors["source_no"]
    assert errors["owner"].startswith("责任部门请从以下选项中选择")
    assert errors["due_date"] == "完成期限不是有效的日期，请按 2026-01-05 的格式填写"
    assert errors["effect"] == "进展为已完成时，请填写观察到的效果"
    links = [a["href"] for a in page.select(".ipps-error-summary a")]
    assert links == [f"#measure-{n}" for n in ("title", "source_no", "owner", "due_date", "effect")]
    # what was typed is kept
    kept = form_values(page.select_one("form[action='/staff/measures']"))
    assert kept["problem"] == MEASURE["problem"] and kept["status"] == "已完成"

    not_a_date = submit(console, form, **{**MEASURE, "due_date": "明年年底"})
    assert not_a_date.status_code == 422
    assert field_errors(soup(not_a_date.text)) == {"due_date": "完成期限应为日期，格式为 2026-01-05"}
    assert store(console).count("measure") == 0 and store(console).count("audit") == 0


def test_a_public_measure_may_not_carry_personal_data(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    form = measure_form(console)
    personal = {
        **MEASURE,
        "problem": "周女士（13900139000）反映排队时间过长",
        "status": "已完成",
        "effect": "已电话回复 zhou@example.com 并致歉",
    }
    answer = submit(console, form, **personal, public="yes")
    assert answer.status_code == 422
    errors = field_errors(soup(answer.text))
    assert set(errors) == {"problem", "effect"}
    assert "13900139000" in errors["problem"] and "个人信息" in errors["problem"]
    assert "zhou@example.com" in errors["effect"]
    assert store(console).count("measure") == 0
    # kept within the centre, the same texts may be recorded
    number = create(console, **personal)
    assert store(console).get(number)["public"] is False


# --- changing -------------------------------------------------------------------------------


def test_an_update_changes_the_measure_and_adds_to_its_timeline(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    number = create(console)
    path = f"/staff/measures/{number}"
    clock("2026-11-30T09:00:00")
    answer = submit(console, measure_form(console, path), status="进行中", title="高峰时段增开两个综合窗口")
    assert answer.status_code == 303 and answer.headers["location"] == f"{path}?done=updated"
    clock("2026-12-20T16:30:00")
    done = submit(console, measure_form(console, path), status="已完成", effect="排队时间降到 20 分钟以内")
    assert done.status_code == 303
    record = store(console).get(number)
    assert record["status"] == "已完成" and record["completed_at"] == "2026-12-20T16:30:00+08:00"
    assert record["revision"] == 2 and record["updated_at"] == "2026-12-20T16:30:00+08:00"
    page = soup(console.get(path).text)
    assert facts(page)["effect"] == "排队时间降到 20 分钟以内"
    steps = [li.get_text(" ", strip=True) for li in page.select("#timeline + ol li")]
    assert steps == [
        "2026-11-24 10:00 · sun 登记改进措施（计划中）",
        "2026-11-30 09:00 · sun 修改了措施、进展（计划中 → 进行中）",
        "2026-12-20 16:30 · sun 修改了进展（进行中 → 已完成）、观察到的效果",
    ]
    # reopened: no longer completed
    submit(console, measure_form(console, path), status="进行中")
    assert store(console).get(number)["completed_at"] is None
    # posting the form unchanged stores nothing
    same = submit(console, measure_form(console, path))
    assert same.headers["location"] == f"{path}?done=unchanged"
    assert store(console).get(number)["revision"] == 3


def test_a_form_drawn_before_someone_elses_change_is_refused(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    number = create(console)
    path = f"/staff/measures/{number}"
    seen = measure_form(console, path)  # sun looks at the measure …
    log_in(console, "admin")  # … the administrator changes it meanwhile
    assert submit(console, measure_form(console, path), status="进行中").status_code == 303
    before = store(console).get(number)
    log_in(console, "sun")
    seen.select_one("input[name=csrf]")["value"] = csrf_of(console)  # the new session's token
    answer = submit(console, seen, title="另一个措施")
    assert answer.status_code == 409
    assert "已被其他人修改" in soup(answer.text).select_one(".ipps-error-summary").get_text()
    assert store(console).get(number) == before
    assert store(console).count("audit") == 2


def test_every_create_and_update_is_audited_in_the_same_write(
    console: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[dict[str, Any]] = []
    target = console.app.state.service.store
    real = target.write

    async def write(**changes: Any) -> None:
        writes.append(changes)
        await real(**changes)

    monkeypatch.setattr(target, "write", write)
    log_in(console, "sun")
    number = create(console)
    submit(console, measure_form(console, f"/staff/measures/{number}"), status="进行中")

    about = [  # not the background jobs' writes
        w
        for w in writes
        if number in [i.key for i in w.get("inserts", ())] + [k for k, _ in w.get("updates", ())]
    ]
    created, updated = about
    assert (created["inserts"][0].kind, created["inserts"][0].key) == ("measure", number)
    assert [i.kind for i in created["inserts"]] == ["measure", "audit"] and not created.get("updates")
    assert [i.kind for i in updated["inserts"]] == ["audit"]
    assert [key for key, _ in updated["updates"]] == [number]

    entries = sorted(store(console).documents("audit"), key=lambda e: e["audit_no"])
    assert [(e["action"], e["label"], e["record"], e["actor"]) for e in entries] == [
        ("create_measure", "登记改进措施", number, "sun"),
        ("update_measure", "更新改进措施", number, "sun"),
    ]
    assert entries[0]["after"]["title"] == MEASURE["title"] and entries[0]["before"]["title"] is None
    assert entries[1]["before"] == {"status": "计划中"} and entries[1]["after"] == {"status": "进行中"}

    log_in(console, "qian")
    rows = soup(console.get("/staff/audit").text).select("tr[data-audit]")
    shown = [[td.get_text(" ", strip=True) for td in row.select("td")][1:4] for row in rows]
    assert [cells[1].split()[0] for cells in shown] == ["更新改进措施", "登记改进措施"]
    assert {row.select("td")[3].a["href"] for row in rows} == {f"/staff/measures/{number}"}


# --- who may -----------------------------------------------------------------------------------


def test_auditors_read_measures_but_get_no_form_and_may_not_post(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    number = create(console)
    log_in(console, "qian")
    listing = soup(console.get("/staff/measures").text)
    assert listing.select_one("a[href='/staff/measures']") is not None  # the console bar
    assert listing.select_one("[data-ipps-new-measure]") is None
    assert [r["data-measure"] for r in listing.select("tr[data-measure]")] == [number]
    page = soup(console.get(f"/staff/measures/{number}").text)
    assert facts(page)["title"] == MEASURE["title"] and page.select_one("form.ipps-form") is None
    assert console.get("/staff/measures/new").status_code == 403
    token = csrf_of(console)
    data = {**MEASURE, "csrf": token, "revision": "0"}
    assert console.post(f"/staff/measures/{number}", data=data).status_code == 403
    assert console.post("/staff/measures", data=data).status_code == 403
    assert store(console).count("measure") == 1 and store(console).get(number)["revision"] == 0


@pytest.mark.parametrize("name", ["wang", "li", "zhao"])
def test_acceptors_and_handlers_may_not_open_the_measures(console: Any, clock: Any, name: str) -> None:
    log_in(console, "sun")
    number = create(console)
    log_in(console, name)
    assert soup(console.get("/staff/").text).select_one("a[href='/staff/measures']") is None
    for path in ("/staff/measures", "/staff/measures/new", f"/staff/measures/{number}"):
        assert console.get(path).status_code == 403, path


def test_a_post_without_the_sessions_token_is_refused(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    number = create(console)
    assert console.post("/staff/measures", data=MEASURE).status_code == 403
    forged = {**MEASURE, "csrf": "forged", "revision": "0", "status": "已完成", "effect": "好"}
    assert console.post(f"/staff/measures/{number}", data=forged).status_code == 403
    assert store(console).count("measure") == 1 and store(console).get(number)["status"] == "计划中"


def test_an_unknown_measure_and_measure_numbers_elsewhere_answer_not_found(console: Any, clock: Any) -> None:
    log_in(console, "admin")
    number = create(console)
    assert console.get("/staff/measures/GJ20991231-000001").status_code == 404
    assert console.get(f"/staff/records/{number}").status_code == 404  # not a record of the workflow
    looked = console.get(f"/api/lookup/{number}", params={"code": "A" * 8}, headers=JSON)
    assert looked.status_code == 404 and looked.json()["error"]["code"] == "not_found"
    assert number not in looked.text


# --- overdue ------------------------------------------------------------------------------------


def test_a_measure_past_its_due_date_and_not_done_is_flagged_overdue(console: Any, clock: Any) -> None:
    log_in(console, "sun")
    number = create(console, due_date="2026-11-30")
    path = f"/staff/measures/{number}"

    def flagged() -> tuple[str, bool]:
        [row] = soup(console.get("/staff/measures").text).select("tr[data-measure]")
        page = soup(console.get(path).text)
        assert ("已逾期" in row.get_text()) == (row["data-overdue"] == "yes")
        return row["data-overdue"], page.select_one("[data-overdue]") is not None

    clock("2026-11-30T18:00:00")  # due today: not yet overdue
    assert flagged() == ("no", False)
    clock("2026-12-01T09:00:00")
    assert flagged() == ("yes", True)
    submit(console, measure_form(console, path), status="已完成", effect="已按期增开窗口")
    assert flagged() == ("no", False)


# --- from a record's page ----------------------------------------------------------------------


def test_a_measure_is_registered_from_a_bad_rating_case_with_its_source_filled_in(
    console: Any, clock: Any
) -> None:
    case_no = bad_rating_case(console)
    log_in(console, "sun")
    link = soup(console.get(f"/staff/records/{case_no}").text).select_one("a[data-ipps-new-measure]")
    assert link.get_text(strip=True) == "登记改进措施"
    form = soup(console.get(link["href"]).text).select_one("form[action='/staff/measures']")
    prefilled = form_values(form)
    assert {k: prefilled[k] for k in ("source", "source_no", "item", "owner", "status")} == {
        "source": "评价",
        "source_no": case_no,
        "item": PLEDGE,
        "owner": "market-regulation",
        "status": "计划中",
    }
    answer = submit(
        console,
        form,
        title="指南写明质押合同是否需要公证",
        problem="差评反映指南不清楚",
        due_date="2026-12-15",
    )
    assert answer.status_code == 303
    [measure] = list(store(console).documents("measure"))
    assert measure["source"] == "评价" and measure["source_no"] == case_no


def test_the_link_is_on_complaints_and_visits_for_those_who_record_measures(console: Any) -> None:
    complaint_no = complaint(console)
    application = console.post(
        "/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON
    ).json()["receipt_no"]
    log_in(console, "admin")
    link = soup(console.get(f"/staff/records/{complaint_no}").text).select_one("a[data-ipps-new-measure]")
    assert link["href"] == f"/staff/measures/new?source=%E6%8A%95%E8%AF%89&source_no={complaint_no}"
    assert (
        soup(console.get(f"/staff/records/{application}").text).select_one("a[data-ipps-new-measure]") is None
    )
    log_in(console, "qian")
    assert (
        soup(console.get(f"/staff/records/{complaint_no}").text).select_one("a[data-ipps-new-measure]")
        is None
    )


def test_a_visit_links_to_a_measure_about_it() -> None:
    from forms_api.domain.measures import new_link

    link = new_link({"kind": "visit", "receipt_no": "HF20261124-000001"})
    assert link == "/staff/measures/new?source=%E5%9B%9E%E8%AE%BF&source_no=HF20261124-000001"
    assert new_link({"kind": "application", "receipt_no": "SQ20261124-000001"}) is None
