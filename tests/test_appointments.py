"""预约办理 (E.4.5): slots on the working-day calendar, the booking rules, the last-place race,
cancelling and moving with the receipt's code, staff marks, and the reminder the day before."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from forms_api.domain import slots
from forms_api.domain.appointments import ARRIVED, BOOKED, CANCELLED, KIND
from generator import workdays
from tests.api import Blocking, id_number, store_of

CHINA = workdays.china_tz()
ITEM = "patent-pledge"  # booked at the civic centre's hall (a window's place) and the hi-tech station


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.fixture(scope="module")
def hall(catalog: Any) -> Any:
    return catalog.points["civic-center-hall"]


# --- slots on the calendar (pure) --------------------------------------------------------------


def test_slots_follow_the_working_day_calendar(hall: Any) -> None:
    assert hall.appointments.slot_minutes == 30
    monday = slots.slots_on(hall, dt.date(2026, 12, 7))
    assert [s.key for s in monday[:2]] == ["2026-12-07T08:30", "2026-12-07T09:00"]
    assert len(monday) == 7 + 8  # 08:30–12:00 and 13:30–17:30 in half hours
    assert monday[6].end == dt.time(12, 0) and monday[7].start == dt.time(13, 30)
    assert slots.slots_on(hall, dt.date(2026, 10, 1)) == []  # 国庆节: closed
    assert slots.slots_on(hall, dt.date(2026, 10, 17)) == []  # an ordinary Saturday
    assert len(slots.slots_on(hall, dt.date(2026, 10, 10))) == 15  # the 调休 Saturday: open


def test_bookable_days_skip_holidays_and_count_the_working_saturday(hall: Any) -> None:
    days = list(slots.bookable_days(hall, at("2026-09-30T08:00")))
    assert len(days) == hall.appointments.days_ahead
    assert days[:5] == [
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),
        dt.date(2026, 10, 12),
    ]
    assert all(workdays.is_working_day(d).working for d in days)


def test_a_slot_closes_its_cutoff_hours_before_it_starts(hall: Any) -> None:
    slot = slots.find(hall, "2026-12-08T10:00")
    assert slot is not None
    assert slots.open_for_booking(hall, slot, at("2026-12-08T07:59"))
    assert not slots.open_for_booking(hall, slot, at("2026-12-08T08:00"))  # 2 hours before
    assert slots.find(hall, "2026-12-08T10:15") is None  # not a slot start
    assert slots.find(hall, "2026-10-01T10:00") is None  # a holiday
    far = slots.find(hall, "2026-12-31T10:00")
    assert far is not None and not slots.open_for_booking(hall, far, at("2026-12-08T07:00"))  # beyond 10 days


# --- booking through the API ----------------------------------------------------------------


def booking(slot: str, number: str, **changes: Any) -> dict[str, Any]:
    return {
        "item_code": ITEM,
        "point": "civic-center-hall",
        "slot": slot,
        "name": "张三",
        "id_number": number,
        "phone": "13800138000",
        **changes,
    }


PEOPLE = [id_number(f"110105194912310{n:02d}") for n in range(10, 40)]


def last_slot(api: Any) -> str:
    """The last bookable slot of the first day, as the API lists it."""
    answer = api.get("/api/appointments/slots", params={"item": ITEM})
    assert answer.status_code == 200
    points = answer.json()["points"]
    assert [p["id"] for p in points] == ["civic-center-hall", "hi-tech-station"]
    listed = points[0]["slots"]
    first_day = listed[0]["slot"][:10]
    return [s for s in listed if s["slot"].startswith(first_day)][-1]["slot"]


def left(api: Any, slot: str) -> int:
    listed = api.get("/api/appointments/slots", params={"item": ITEM}).json()["points"][0]["slots"]
    return next(s["left"] for s in listed if s["slot"] == slot)


def test_a_booking_gets_a_receipt_and_takes_a_place(api: Any) -> None:
    slot = last_slot(api)
    assert left(api, slot) == 3
    answer = api.post("/api/appointments", json=booking(slot, PEOPLE[0]))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["receipt_no"].startswith("YY") and receipt["status"] == BOOKED
    assert receipt["slot"] == slot and receipt["point"] == "市民服务中心知识产权服务区"
    assert left(api, slot) == 2
    record = store_of(api).get(receipt["receipt_no"])
    assert record["kind"] == KIND and "110105" not in str(record)  # the ID number is encrypted
    # the reminder is queued for 9:00 the day before (or at once when that has passed)
    (job,) = store_of(api).jobs_of(receipt["receipt_no"])
    assert job.task == "notice" and job.payload["event"] == "appointment_reminder"


def test_one_active_booking_per_person_and_item(api: Any) -> None:
    slot = last_slot(api)
    assert api.post("/api/appointments", json=booking(slot, PEOPLE[1])).status_code == 201
    again = api.post("/api/appointments", json=booking(slot, PEOPLE[1].lower()))
    assert again.status_code == 409 and "只能有一个有效预约" in again.json()["error"]["message"]


def test_bad_bookings_are_refused_by_field(api: Any) -> None:
    answer = api.post(
        "/api/appointments",
        json=booking("2026-10-01T09:00", "123", phone="", point="civic-center-hall"),
    )
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert set(fields) >= {"id_number", "phone"}
    answer = api.post("/api/appointments", json=booking("2026-10-01T09:00", PEOPLE[2]))
    assert answer.status_code == 422 and "节假日" in answer.json()["error"]["fields"]["slot"]
    answer = api.post("/api/appointments", json=booking(last_slot(api), PEOPLE[2], point="finance-station"))
    assert answer.status_code == 422 and "point" in answer.json()["error"]["fields"]


def test_the_last_places_go_to_exactly_as_many_people_as_there_are(api: Any) -> None:
    slot = last_slot(api)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda n: api.post("/api/appointments", json=booking(slot, n)), PEOPLE[:12]))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 3 + [409] * 9, [a.text for a in answers]
    assert all("已约满" in a.json()["error"]["message"] for a in answers if a.status_code == 409)
    assert left(api, slot) == 0
    held = [r for r in store_of(api).snapshot(_query(slot)) if r["status"] == BOOKED]
    assert len(held) == 3 and len({r["place"] for r in held}) == 3


def _query(slot: str) -> Any:
    from forms_api.storage.query import Query

    return Query(kind=KIND, target=f"civic-center-hall@{slot[:10]}")


def test_cancelling_frees_the_place_and_the_persons_turn(api: Any) -> None:
    slot = last_slot(api)
    receipts = [api.post("/api/appointments", json=booking(slot, n)).json() for n in PEOPLE[20:23]]
    assert left(api, slot) == 0
    full = api.post("/api/appointments", json=booking(slot, PEOPLE[23]))
    assert full.status_code == 409
    wrong = api.post(
        "/api/appointments/cancel", json={"receipt_no": receipts[0]["receipt_no"], "code": "WRONG123"}
    )
    assert wrong.status_code == 422
    done = api.post(
        "/api/appointments/cancel",
        json={"receipt_no": receipts[0]["receipt_no"], "code": receipts[0]["lookup_code"]},
    )
    assert done.status_code == 200 and done.json()["status"] == CANCELLED
    assert left(api, slot) == 1
    assert api.post("/api/appointments", json=booking(slot, PEOPLE[23])).status_code == 201  # the freed place
    assert api.post("/api/appointments", json=booking(slot, PEOPLE[20])).status_code == 409  # full again
    twice = api.post(
        "/api/appointments/cancel",
        json={"receipt_no": receipts[0]["receipt_no"], "code": receipts[0]["lookup_code"]},
    )
    assert twice.status_code == 409
    # the first person may book the item again (another slot)
    other = api.get("/api/appointments/slots", params={"item": ITEM}).json()["points"][0]["slots"][0]["slot"]
    assert api.post("/api/appointments", json=booking(other, PEOPLE[20])).status_code == 201


def test_wrong_codes_are_limited_per_booking(api: Any) -> None:
    receipt = api.post("/api/appointments", json=booking(last_slot(api), PEOPLE[24])).json()
    wrong = {"receipt_no": receipt["receipt_no"], "code": "WRONG123"}
    codes = [api.post("/api/appointments/cancel", json=wrong).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
    right = {"receipt_no": receipt["receipt_no"], "code": receipt["lookup_code"]}
    assert api.post("/api/appointments/cancel", json=right).status_code == 429  # even the right one, for now
    assert store_of(api).get(receipt["receipt_no"])["status"] == BOOKED


def test_moving_takes_the_new_place_and_frees_the_old(api: Any) -> None:
    slot = last_slot(api)
    first = api.post("/api/appointments", json=booking(slot, PEOPLE[25])).json()
    assert left(api, slot) == 2
    listed = api.get("/api/appointments/slots", params={"item": ITEM}).json()["points"][0]["slots"]
    target = listed[-1]["slot"]
    moved = api.post(
        "/api/appointments/move",
        json={"receipt_no": first["receipt_no"], "code": first["lookup_code"], "slot": target},
    )
    assert moved.status_code == 201, moved.text
    new = moved.json()
    assert new["slot"] == target and new["receipt_no"] != first["receipt_no"]
    assert left(api, slot) == 3 and left(api, target) == 2
    old = store_of(api).get(first["receipt_no"])
    assert old["status"] == CANCELLED and old["moved_to"] == new["receipt_no"]
    # the person still holds one booking for the item: a second is refused
    assert api.post("/api/appointments", json=booking(slot, PEOPLE[25])).status_code == 409


def test_staff_see_the_days_list_and_mark_arrivals(api: Any) -> None:
    slot = last_slot(api)
    receipt = api.post("/api/appointments", json=booking(slot, PEOPLE[28])).json()
    booking_service = Blocking(api, api.app.state.appointments)
    rows = booking_service.day_list("civic-center-hall", dt.date.fromisoformat(slot[:10]))
    assert [r["receipt_no"] for r in rows] == [receipt["receipt_no"]]
    marked = booking_service.mark(receipt["receipt_no"], True, "wang")
    assert marked["status"] == ARRIVED
    # arrived: the person may book the item again
    assert api.post("/api/appointments", json=booking(slot, PEOPLE[28])).status_code == 201


def test_the_reminder_is_not_sent_for_a_cancelled_booking(api: Any) -> None:
    from forms_api.delivery.notices import build_notice

    slot = last_slot(api)
    receipt = api.post("/api/appointments", json=booking(slot, PEOPLE[29])).json()
    record = store_of(api).get(receipt["receipt_no"])
    notice = build_notice(record, "appointment_reminder", phone="13800138000")
    assert record["slot_label"] in notice.sms and "专利权质押登记" in notice.sms
    assert receipt["lookup_code"] not in notice.body
    api.post(
        "/api/appointments/cancel", json={"receipt_no": receipt["receipt_no"], "code": receipt["lookup_code"]}
    )
    from forms_api.domain.jobs.notices import notice_handler

    (job,) = store_of(api).jobs_of(receipt["receipt_no"])
    sent: list[Any] = []

    class Recorder:
        async def deliver(self, notice: Any, channel: str, message_id: str) -> str:
            sent.append(notice)
            return "13800138000"

    handle = notice_handler(api.app.state.service, Recorder())  # type: ignore[arg-type]
    finished = api.portal.call(handle, job)
    assert sent == [] and "不再提醒" in finished.note["skipped"]


# --- the booking page, without JavaScript -----------------------------------------------------

HTML = {"Accept": "text/html"}


def test_the_booking_page_lists_the_slots_as_radio_buttons(api: Any) -> None:
    from bs4 import BeautifulSoup

    slot = last_slot(api)
    for n in PEOPLE[:3]:  # fill the last slot of the first day
        assert api.post("/api/appointments", json=booking(slot, n)).status_code == 201
    page = BeautifulSoup(api.get("/appointments/", params={"item": ITEM}, headers=HTML).text, "html.parser")
    radios = {r["value"]: r for r in page.select("input[type=radio][name=slot]")}
    assert slot in radios and radios[slot].has_attr("disabled")  # full: shown, not choosable
    assert not next(iter(radios.values())).has_attr("disabled")
    assert page.select_one("input[name=point]")["value"] == "civic-center-hall"
    station = page.select_one("a[href*='point=hi-tech-station']")
    assert station is not None  # the other point is a link
    other = BeautifulSoup(api.get(station["href"], headers=HTML).text, "html.parser")
    assert other.select_one("input[name=point]")["value"] == "hi-tech-station"
    # the site's own list when no item is named
    index = BeautifulSoup(api.get("/appointments/", headers=HTML).text, "html.parser")
    assert ITEM in {row["data-item"] for row in index.select("tr[data-item]")}
    assert api.get("/appointments/", params={"item": "no-such-item"}, headers=HTML).status_code == 404


def test_a_plain_post_books_or_shows_the_form_again_with_its_problems(api: Any) -> None:
    from bs4 import BeautifulSoup

    slot = last_slot(api)
    answer = api.post("/api/appointments", data=booking(slot, PEOPLE[5], phone=""), headers=HTML)
    assert answer.status_code == 422
    page = BeautifulSoup(answer.text, "html.parser")
    assert [a["href"] for a in page.select("[data-ipps-summary] a")] == ["#book-phone"]
    assert page.select_one(f"input[name=slot][value='{slot}']").has_attr("checked")  # kept
    assert page.select_one("#book-name")["value"] == "张三"
    answer = api.post("/api/appointments", data=booking(slot, PEOPLE[5]), headers=HTML)
    assert answer.status_code == 201 and "预约成功" in answer.text and "YY" in answer.text
    again = api.post("/api/appointments", data=booking(slot, PEOPLE[5]), headers=HTML)
    page = BeautifulSoup(again.text, "html.parser")
    assert (
        again.status_code == 409
        and "只能有一个有效预约" in page.select_one("#book-id_number-error").get_text()
    )


def test_staff_mark_arrivals_on_the_days_list(built_site: Any, tmp_path: Any, engine: Any) -> None:
    from tests.console import console_client, log_in, soup

    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as console:
        slot = last_slot(console)
        receipt = console.post("/api/appointments", json=booking(slot, PEOPLE[6])).json()
        log_in(console, "wang")  # 受理人员
        page = soup(
            console.get("/staff/appointments", params={"point": "civic-center-hall", "day": slot[:10]}).text
        )
        row = page.select_one(f"tr[data-receipt='{receipt['receipt_no']}']")
        assert row is not None and row.select_one("[data-status]").get_text() == BOOKED
        assert "110***********" in row.get_text() and PEOPLE[6] not in row.get_text()  # masked
        form = row.select_one("form")
        answer = console.post(
            form["action"], data={"csrf": form.select_one("[name=csrf]")["value"], "arrived": "1"}
        )
        assert answer.status_code == 200  # back on the list
        row = soup(answer.text).select_one(f"tr[data-receipt='{receipt['receipt_no']}']")
        assert row.select_one("[data-status]").get_text() == ARRIVED
        log_in(console, "li")  # a handler: not their list
        assert console.get("/staff/appointments", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("javascript", [False, True], ids=["plain", "script"])
def test_booking_in_chromium(chromium: Any, site_server: str, javascript: bool) -> None:
    from tests.browser import Visit

    visit = Visit(chromium, site_server, javascript=javascript)
    try:
        page = visit.page
        visit.open("items/patent-pledge/")
        page.click("a:has-text('预约到窗口办理')")
        page.wait_for_selector("h1:has-text('预约窗口办理')")
        page.check("input[name=slot]:not([disabled]) >> nth=0")
        page.fill("#book-name", "李四")
        page.fill("#book-id_number", PEOPLE[7 + int(javascript)])
        page.fill("#book-phone", "13900139000")
        with page.expect_navigation():
            page.click("form[data-ipps-form='appointment'] [data-ipps-submit]")
        assert page.inner_text("h1") == "预约成功"
        assert "YY" in page.inner_text("main")
    finally:
        visit.close()


def test_a_booking_nobody_marked_becomes_a_no_show_the_next_night(api: Any) -> None:
    from forms_api.domain.jobs.housekeeping import no_shows_handler
    from forms_api.storage.jobs import JobRun

    slot = last_slot(api)
    receipt = api.post("/api/appointments", json=booking(slot, PEOPLE[9])).json()
    handle = no_shows_handler(api.app.state.appointments)

    def night(day: dt.date) -> Any:
        run_at = dt.datetime.combine(day, dt.time(2, 30), CHINA)
        return api.portal.call(handle, JobRun("daily:no_shows", "no_shows", {}, "", "running", run_at, 1, 8))

    booked_day = dt.date.fromisoformat(slot[:10])
    assert night(booked_day).note == {"marked": 0}  # the day itself: still to come
    assert store_of(api).get(receipt["receipt_no"])["status"] == BOOKED
    assert night(booked_day + dt.timedelta(days=1)).note == {"marked": 1}
    record = store_of(api).get(receipt["receipt_no"])
    assert record["status"] == "未到" and "系统" in record["timeline"][-1]["note"]
    # the person's turn has ended: they may book the item again
    other = api.get("/api/appointments/slots", params={"item": ITEM}).json()["points"][0]["slots"][-1]["slot"]
    assert api.post("/api/appointments", json=booking(other, PEOPLE[9])).status_code == 201


def test_moving_and_cancelling_without_javascript(chromium: Any, site_server: str) -> None:
    from tests.browser import Visit

    visit = Visit(chromium, site_server, javascript=False)
    try:
        page = visit.page
        visit.open("appointments/?item=patent-pledge")
        page.check("input[name=slot]:not([disabled]) >> nth=0")
        page.fill("#book-name", "王五")
        page.fill("#book-id_number", PEOPLE[11])
        page.fill("#book-phone", "13700137000")
        with page.expect_navigation():
            page.click("form[data-ipps-form='appointment'] [data-ipps-submit]")
        text = page.inner_text("main")
        receipt_no = next(w for w in text.replace("，", " ").split() if w.startswith("YY"))
        code = text.split("查询码 ")[1][:8]
        visit.open("appointments/manage")
        page.fill("#manage-receipt_no", receipt_no)
        page.fill("#manage-code", code)
        with page.expect_navigation():
            page.click("form[data-ipps-form='appointment_find'] [data-ipps-submit]")
        assert page.inner_text("[data-status]") == BOOKED
        page.check(
            "form[data-ipps-form='appointment_move'] details[open] input[name=slot]:not([disabled]) >> nth=-1"
        )
        with page.expect_navigation():
            page.click("form[data-ipps-form='appointment_move'] [data-ipps-submit]")
        assert page.inner_text("h1") == "预约已改约"
        moved = page.inner_text("main")
        new_no = next(w for w in moved.replace("，", " ").split() if w.startswith("YY") and w != receipt_no)
        new_code = moved.split("查询码 ")[1][:8]
        visit.open(f"appointments/manage?receipt_no={receipt_no}&code={code}")
        assert page.inner_text("[data-status]") == CANCELLED  # the old one
        visit.open(f"appointments/manage?receipt_no={new_no}&code={new_code}")
        with page.expect_navigation():
            page.click("form[data-ipps-form='appointment_cancel'] [data-ipps-submit]")
        assert page.inner_text("h1") == "预约已取消"
        visit.open(f"appointments/manage?receipt_no={new_no}&code=WRONG123")
        assert "找不到" in page.inner_text("main")
    finally:
        visit.close()
