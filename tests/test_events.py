"""培训讲座 (F.1.4): events as catalog data, their pages, registration with a waitlist that
moves up on cancellation, the capacity under concurrent registrations, and the sign-in sheet.

Validation of broken events (E131) is in tests/test_validation_rules.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from forms_api.storage.query import Query
from generator import workdays
from generator.site import urls
from tests.api import store_of
from tests.conftest import html_of

OPEN = "2027-01-ip-compliance"  # 30 places, registration open until 2027-01-08
PAST = "2026-11-pledge-basics"
BEFORE_DEADLINE = dt.datetime(2026, 12, 8, 10, 0, tzinfo=workdays.china_tz())
"""The service's clock in the registration tests: the sample's deadlines are real dates, so the
tests register on a fixed day before them rather than on whatever day they run."""


@pytest.fixture(autouse=True)
def before_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("forms_api.domain.registrations.now", lambda: BEFORE_DEADLINE)


def phone(n: int) -> str:
    return f"139{n:08d}"


def registration(n: int, event: str = OPEN, **changes: Any) -> dict[str, Any]:
    return {
        "event": event,
        "name": f"学员{n}",
        "organisation": "示范科技有限公司",
        "phone": phone(n),
        **changes,
    }


def test_the_events_pages_show_coming_and_past_events(catalog: Any, built_site: Path) -> None:
    today = workdays.today()
    page = html_of(built_site, urls.EVENTS)
    upcoming = [a["href"].rstrip("/").split("/")[-1] for a in page.select("#upcoming + ul a.ipps-card")]
    past = [a["href"].rstrip("/").split("/")[-1] for a in page.select("#past + ul a")]
    assert upcoming == [e.id for e in sorted(catalog.events, key=lambda e: e.date) if e.date >= today]
    assert past == [
        e.id for e in sorted(catalog.events, key=lambda e: e.date, reverse=True) if e.date < today
    ]

    done = html_of(built_site, urls.event(PAST))
    (handout,) = done.select("#materials + ul a[download]")
    target = (built_site / urls.event(PAST) / unquote(handout["href"])).resolve()
    assert target.is_file() and target.read_bytes().startswith(b"%PDF")
    assert done.select_one("form[data-ipps-form='registration']") is None  # over: no registration
    asked = [li.get_text(strip=True) for li in done.select("#why + p + ul li")]
    sources = {e.source: e.question for e in catalog.faq}
    assert asked == [sources[s] for s in catalog.events[0].faqs]  # the questions that prompted it

    for event in catalog.events:  # a form while registration is open (on the day of the build)
        form = html_of(built_site, urls.event(event.id)).select_one("form[data-ipps-form='registration']")
        assert (form is not None) == (today <= event.register_until), event.id
        if form is not None:
            assert form.select_one("input[name=event]")["value"] == event.id
            assert {i["name"] for i in form.select("input[name]")} >= {"name", "organisation", "phone"}


def test_a_full_event_puts_people_on_the_waitlist_which_moves_up(api: Any) -> None:
    answers = [api.post("/api/registrations", json=registration(n)) for n in range(32)]
    assert [a.status_code for a in answers] == [201] * 32
    statuses = [a.json()["status"] for a in answers]
    assert statuses == ["已报名"] * 30 + ["候补"] * 2
    assert [a.json()["waitlist"] for a in answers[30:]] == [1, 2]
    assert api.get(f"/api/events/{OPEN}").json() == {
        "event": OPEN, "title": "企业知识产权合规管理培训班", "capacity": 30, "registered": 30, "left": 0, "waiting": 2,
    }  # fmt: skip
    again = api.post("/api/registrations", json=registration(3))
    assert again.status_code == 409 and "已经报名" in again.json()["error"]["message"]

    first = answers[0].json()
    cancelled = api.post(
        "/api/registrations/cancel", json={"receipt_no": first["receipt_no"], "code": first["lookup_code"]}
    )
    assert cancelled.status_code == 200
    promoted = store_of(api).get(answers[30].json()["receipt_no"])
    assert (
        promoted["status"] == "已报名" and promoted["seat"] == store_of(api).get(first["receipt_no"])["seat"]
    )
    (job,) = store_of(api).jobs_of(promoted["receipt_no"])
    assert job.payload["event"] == "registration_promoted"
    assert store_of(api).get(answers[31].json()["receipt_no"])["status"] == "候补"
    counts = api.get(f"/api/events/{OPEN}").json()
    assert (counts["registered"], counts["waiting"]) == (30, 1)
    # cancelling from the waitlist leaves the queue, nobody moves
    last = answers[31].json()
    api.post(
        "/api/registrations/cancel", json={"receipt_no": last["receipt_no"], "code": last["lookup_code"]}
    )
    assert api.get(f"/api/events/{OPEN}").json()["waiting"] == 0
    # the first person may register again: they join the end (the places are taken)
    assert api.post("/api/registrations", json=registration(0)).json()["status"] == "候补"


def test_concurrent_registrations_never_exceed_the_places(api: Any) -> None:
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(
            pool.map(lambda n: api.post("/api/registrations", json=registration(100 + n)), range(40))
        )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
    statuses = [a.json()["status"] for a in answers]
    assert statuses.count("已报名") == 30 and statuses.count("候补") == 10
    waitlist = sorted(a.json()["waitlist"] for a in answers if a.json()["status"] == "候补")
    assert waitlist == list(range(1, 11))
    seats = {
        store_of(api).get(a.json()["receipt_no"]).get("seat")
        for a in answers
        if a.json()["status"] == "已报名"
    }
    assert len(seats) == 30


def test_registration_closes_and_problems_are_by_field(api: Any) -> None:
    closed = api.post("/api/registrations", json=registration(1, event=PAST))
    assert closed.status_code == 422 and "截止" in closed.json()["error"]["fields"]["event"]
    bad = api.post("/api/registrations", json=registration(1, phone="12", name=""))
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"phone", "name"}


def test_staff_download_the_sign_in_sheet(built_site: Any, tmp_path: Any, engine: Any) -> None:
    from tests.console import console_client, log_in, soup

    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as console:
        for n in range(31):
            console.post(
                "/api/registrations", json=registration(n, name='=HYPERLINK("x")' if n == 1 else f"学员{n}")
            )
        log_in(console, "wang")
        page = soup(console.get("/staff/events").text)
        row = page.select_one(f"tr[data-event='{OPEN}']")
        assert row.select_one("[data-count=registered]").get_text() == "30"
        sheet = console.get(row.select_one("a[download]")["href"])
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert rows[1] == ["序号", "姓名", "单位", "手机号码", "报名编号", "签到"]
        people = rows[2:32]
        assert [r[0] for r in people] == [str(n) for n in range(1, 31)]
        assert people[1][1].startswith("'=")  # a formula is not a formula in the sheet
        assert "13900000002" not in sheet.text and people[2][3].endswith("0002")  # phone masked
        assert rows[-1][0] == "候补1"
        entries = list(store_of(console).snapshot(Query(kind="audit", target=OPEN)))
        assert [e["action"] for e in entries] == ["sign_in_sheet"] and entries[0]["actor"] == "wang"
