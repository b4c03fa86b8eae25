"""Who may open what in the console: every route against every role and against no login;
session expiry, lockout and CSRF at the routes; the supervisors' exports."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from forms_api.console import routes as staff_web
from forms_api.console import sessions as sessions_module
from forms_api.storage.query import Query
from tests.api import JSON, consultation, id_number, pledge_fields, pledge_files, store_of
from tests.console import STAFF, console_client, log_in, record_page, soup

ANONYMOUS = "anonymous"

# What each console route allows, written out: the test fails if a route is added without a
# line here, or if a route lets in a role the table does not name.
ALL = {"admin", "acceptor", "handler", "supervisor", "auditor"}
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/staff/"): ALL,
    ("GET", "/staff/records/{receipt_no}"): ALL,
    ("POST", "/staff/records/{receipt_no}/reveal"): {"admin", "acceptor", "handler", "supervisor"},
    ("GET", "/staff/records/{receipt_no}/files/{index}"): {"admin", "acceptor", "handler", "supervisor"},
    ("POST", "/staff/records/{receipt_no}/actions/{action}"): {"admin", "acceptor"},  # for "accept"
    ("GET", "/staff/audit"): {"admin", "auditor"},
    ("GET", "/staff/export"): {"admin", "supervisor"},
    ("POST", "/staff/export"): {"admin", "supervisor"},
    ("GET", "/staff/measures"): {"admin", "supervisor", "auditor"},
    ("POST", "/staff/measures"): {"admin", "supervisor"},
    ("GET", "/staff/measures/new"): {"admin", "supervisor"},
    ("GET", "/staff/measures/{measure_no}"): {"admin", "supervisor", "auditor"},  # 404: see below
    ("POST", "/staff/measures/{measure_no}"): {"admin", "supervisor"},
    ("GET", "/staff/jobs"): {"admin", "supervisor"},
    ("POST", "/staff/jobs/{job_id}/retry"): {"admin", "acceptor", "supervisor"},  # 409: no such job
    ("GET", "/staff/appointments"): {"admin", "acceptor", "supervisor"},
    ("POST", "/staff/appointments/{receipt_no}/mark"): {"admin", "acceptor", "supervisor"},  # 409: not one
    ("GET", "/staff/events"): {"admin", "acceptor", "supervisor"},
    ("GET", "/staff/events/{event_id}/sign-in.csv"): {"admin", "acceptor", "supervisor"},
}
PUBLIC = {("GET", "/staff/login"), ("POST", "/staff/login"), ("POST", "/staff/logout")}
MEMBER = {"admin": "admin", "acceptor": "wang", "handler": "li", "supervisor": "sun", "auditor": "qian"}


def console_routes() -> set[tuple[str, str]]:
    return {
        (method, "/staff" + route.path) for route in staff_web.ROUTES for method in route.methods - {"HEAD"}
    }


def test_every_console_route_is_in_the_table() -> None:
    assert console_routes() == set(EXPECTED) | PUBLIC


@pytest.fixture
def console(built_site: Path, tmp_path: Path, engine: Any) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as test_client:
        yield test_client


def fresh_application(console: Any) -> str:
    answer = console.post("/api/applications", data=pledge_fields(), files=pledge_files(), headers=JSON)
    return answer.json()["receipt_no"]


MEASURE = {
    "title": "高峰时段增开综合窗口",
    "problem": "排队时间过长",
    "source": "报告",
    "owner": "public-service-center",
    "due_date": "2026-12-31",
    "status": "计划中",
}
"""A valid improvement measure, posted to the measures' routes so that an allowed role's post
is answered as done (303), not as an incomplete form (422)."""


def request(console: Any, method: str, template: str, receipt_no: str, token: str) -> Any:
    # {measure_no} gets the application's number: no measure has it, so a role the route
    # allows is answered 404 after the role check (which answers 403 to the others first)
    path = template.format(
        receipt_no=receipt_no,
        index="0",
        action="accept",
        measure_no=receipt_no,
        job_id="notice:none",
        event_id="2026-12-software-copyright",
    )
    if method == "GET":
        return console.get(path, follow_redirects=False)
    data = {"csrf": token, "revision": "0", "kind": "application", "format": "csv"}
    if path.startswith("/staff/measures"):
        data |= MEASURE
    return console.post(path, data=data, follow_redirects=False)


@pytest.mark.parametrize("who", [ANONYMOUS, *MEMBER])
def test_the_role_matrix(console: Any, who: str) -> None:
    token = ""
    if who != ANONYMOUS:
        log_in(console, MEMBER[who])
    for (method, template), allowed in sorted(EXPECTED.items()):
        number = fresh_application(console)  # each request gets a record in its first state
        if who != ANONYMOUS:
            token = record_page(console, number).select_one("input[name=csrf]")["value"]
        answer = request(console, method, template, number, token)
        where = f"{who} {method} {template}"
        if who == ANONYMOUS:
            assert answer.status_code == 303, where
            assert answer.headers["location"].startswith("/staff/login?next="), where
        elif who in allowed:
            found = (200, 303, 404) if "{measure_no}" in template else (200, 303)
            found = (409,) if "{job_id}" in template or template.endswith("/mark") else found
            assert answer.status_code in found, f"{where}: {answer.status_code}"
            assert not answer.headers.get("location", "").startswith("/staff/login"), where
        else:
            assert answer.status_code == 403, f"{where}: {answer.status_code}"
        assert answer.headers.get("cache-control") in (None, "no-store") or answer.status_code == 303


def test_an_idle_session_expires_and_the_next_page_asks_for_a_login(
    console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(console, "wang")
    assert console.get("/staff/", follow_redirects=False).status_code == 200
    later = time.time() + sessions_module.IDLE_TIMEOUT + 5
    monkeypatch.setattr(sessions_module.time, "time", lambda: later)
    answer = console.get("/staff/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login?next=/staff/"


def test_a_session_in_use_still_ends_at_its_absolute_limit(
    console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(console, "wang")
    start = time.time()
    step = sessions_module.IDLE_TIMEOUT - 60
    moment = start
    while moment - start < sessions_module.ABSOLUTE_TIMEOUT - step:
        moment += step  # active all along: each page renews the idle limit
        monkeypatch.setattr(sessions_module.time, "time", lambda m=moment: m)
        assert console.get("/staff/", follow_redirects=False).status_code == 200
    monkeypatch.setattr(sessions_module.time, "time", lambda: start + sessions_module.ABSOLUTE_TIMEOUT + 1)
    assert console.get("/staff/", follow_redirects=False).status_code == 303


def test_a_post_from_another_site_is_refused_on_every_console_form(console: Any) -> None:
    number = fresh_application(console)
    log_in(console, "admin")
    for (method, template), _ in EXPECTED.items():
        if method == "POST":
            answer = request(console, method, template, number, "forged-token")
            assert answer.status_code == 403, template
    assert store_of(console).get(number)["status"] == "已提交"


# --- exports ----------------------------------------------------------------------------------


def download(console: Any, **fields: str) -> Any:
    token = soup(console.get("/staff/export").text).select_one(
        "form[action='/staff/export'] input[name=csrf]"
    )
    return console.post("/staff/export", data={"csrf": token["value"], **fields})


def test_a_supervisor_exports_masked_lists_and_each_export_is_logged(console: Any) -> None:
    numbers = [fresh_application(console) for _ in range(2)]
    log_in(console, "sun")
    answer = download(console, kind="application", format="csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    blank = lines.index([])
    stated, table = dict(lines[:blank]), lines[blank + 1 :]
    assert (
        stated["记录数"] == "2 条" and stated["导出人"] == "sun（监督员）" and stated["个人信息"] == "已遮蔽"
    )
    assert table[0][:3] == ["办件编号", "事项", "事项编码"]
    assert sorted(row[0] for row in table[1:]) == sorted(numbers)
    assert id_number() not in answer.text and "13800138000" not in answer.text and "林晓" not in answer.text
    refused = download(console, kind="application", format="xlsx", reveal="yes")
    assert refused.status_code == 422 and "只有管理员" in refused.text
    entries = [e for e in store_of(console).find(Query("audit"), 10_000).rows if e["action"] == "export"]
    assert [e["details"] for e in entries] == [
        {"kind": "application", "format": "csv", "rows": 2, "revealed": False}
    ]


def test_an_administrator_may_export_personal_data_in_full_as_xlsx(console: Any) -> None:
    fresh_application(console)
    log_in(console, "admin")
    answer = download(console, kind="application", format="xlsx", reveal="yes")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    record = dict(zip(header, row, strict=True))
    assert (
        record["证件号码"] == id_number()
        and record["联系电话"] == "13800138000"
        and record["申请人"] == "林晓"
    )
    [entry] = [e for e in store_of(console).find(Query("audit"), 10_000).rows if e["action"] == "export"]
    assert entry["details"]["revealed"] is True and entry["actor"] == "admin"


def test_the_staff_table_names_a_member_per_role() -> None:
    assert {role for role, _ in STAFF.values()} == ALL


def test_one_address_cannot_try_many_passwords_quickly(built_site: Path, tmp_path: Path) -> None:
    with console_client(built_site, tmp_path / "data", rate_limit="10/minute") as console:
        form = soup(console.get("/staff/login").text).select_one("form[action='/staff/login']")
        hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        names = [*STAFF, *(f"guess{n}" for n in range(15))]  # one guess each: no account is slowed
        statuses = []
        for name in names[:21]:
            answer = console.post(
                "/staff/login", data={**hidden, "username": name, "password": "guess guess"}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 401:
                hidden["csrf"] = soup(answer.text).select_one("input[name=csrf]")["value"]
        assert statuses[:20] == [401] * 20 and statuses[20] == 429
        assert int(answer.headers["retry-after"]) > 0


def test_an_export_holds_every_matching_record_whatever_the_page_and_batch_sizes(
    console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More consultations than a console page, a shard and the columns' width sample (made
    small): both formats hold all of them, the count in the file is the store's, and so is
    the count in the audit entry; a date filter is stated in the file and applied."""
    from forms_api.domain import exports
    from forms_api.storage.embedded.shards import SHARD_SIZE

    monkeypatch.setattr(exports, "WIDTH_SAMPLE", 5)
    total = SHARD_SIZE + 60
    numbers = {
        console.post("/api/consultations", json=consultation(), headers=JSON).json()["receipt_no"]
        for _ in range(total)
    }
    store = store_of(console)
    assert store.tally({"all": Query("consultation")})["all"] == total
    log_in(console, "sun")
    answer = download(console, kind="consultation", format="csv")
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    blank = lines.index([])
    stated, table = dict(lines[:blank]), lines[blank + 1 :]
    assert stated["记录数"] == f"{total} 条" and stated["筛选条件"] == "无（全部记录）"
    assert {row[0] for row in table[1:]} == numbers and len(table) == total + 1
    answer = download(console, kind="consultation", format="xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    received = [row[0] for row in workbook["咨询留言"].iter_rows(min_row=2, values_only=True)]
    assert set(received) == numbers and len(received) == total
    assert {row[0]: row[1] for row in workbook["说明"].iter_rows(values_only=True)}["记录数"] == f"{total} 条"
    entries = [e for e in store.find(Query("audit", actor="sun"), 10).rows if e["action"] == "export"]
    assert [e["details"]["rows"] for e in entries] == [total, total]
    stamp = min(numbers)[2:10]  # ZX20261124-000001: the day it came in
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    answer = download(console, kind="consultation", format="csv", since="2000-01-01", until="2000-01-31")
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    stated = dict(lines[: lines.index([])])
    assert stated["提交日期"] == "2000-01-01 至 2000-01-31" and stated["记录数"] == "0 条"
    answer = download(console, kind="consultation", format="csv", since=day)
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert dict(lines[: lines.index([])])["记录数"] == f"{total} 条"
    assert not list((console.app.state.service.settings.data_dir / "tmp" / "exports").iterdir())
