"""POST /api/consultations: 咨询留言 (T/CIPS 007—2024 8.4.2, annex F.1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from forms_api.domain import submissions as service_module
from generator import workdays
from tests.api import JSON, PLEDGE, SUSPENDED, consultation, store_bytes, store_of

RECEIPT = re.compile(r"ZX(\d{8})-(\d{6})")


def test_a_consultation_is_received_with_a_typed_receipt_number(api) -> None:
    answer = api.post("/api/consultations", json=consultation(), headers=JSON)
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "已提交"
    match = RECEIPT.fullmatch(body["receipt_no"])
    assert match, body["receipt_no"]
    assert match[1] == workdays.today().strftime("%Y%m%d")
    assert re.fullmatch(r"[A-Z0-9]{8}", body["lookup_code"])


def test_receipt_numbers_count_up_and_never_repeat(api) -> None:
    numbers = [api.post("/api/consultations", json=consultation()).json()["receipt_no"] for _ in range(5)]
    assert len(set(numbers)) == 5
    sequence = [int(RECEIPT.fullmatch(n)[2]) for n in numbers]
    assert sequence == sorted(sequence) and sequence[0] >= 1


def test_the_reply_is_due_after_the_platforms_working_days(api, catalog, monkeypatch) -> None:
    # Wednesday 30 September 2026: 国庆 (1–7 October) comes before any working day.
    monkeypatch.setattr(
        service_module, "now", lambda: dt.datetime(2026, 9, 30, 16, 0, tzinfo=workdays.china_tz())
    )
    body = api.post("/api/consultations", json=consultation()).json()
    days = catalog.platform.settings.consultation_reply_days
    expected = workdays.add_working_days(dt.date(2026, 9, 30), days).date
    assert body["reply_due"] == expected.isoformat()
    assert expected >= dt.date(2026, 10, 8), "the holiday is not counted"


def test_either_phone_or_email_is_enough(api) -> None:
    by_mail = consultation(phone="", email="linxiao@example.com")
    assert api.post("/api/consultations", json=by_mail).status_code == 201
    landline = consultation(phone="0591-87654321")
    assert api.post("/api/consultations", json=landline).status_code == 201


def test_every_problem_is_listed_at_once(api) -> None:
    bad = {
        "name": "",
        "phone": "138-0013",
        "email": "lin@",
        "subject": "",
        "message": "",
        "item_code": "无此事项",
    }
    answer = api.post("/api/consultations", json=bad)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"name", "phone", "email", "subject", "message", "item_code"}
    assert "6" in error["message"]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in error["fields"].values())


def test_a_way_to_answer_is_required(api) -> None:
    answer = api.post("/api/consultations", json=consultation(phone="", email=""))
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert "联系电话或电子邮箱" in fields["phone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "林" * 41), ("subject", "问" * 61), ("message", "字" * 2001)],
)
def test_overlong_text_is_refused_with_the_limit(api, field: str, value: str) -> None:
    answer = api.post("/api/consultations", json=consultation(**{field: value}))
    assert answer.status_code == 422
    message = answer.json()["error"]["fields"][field]
    assert str(len(value) - 1) in message


def test_the_item_asked_about_is_recorded(api) -> None:
    answer = api.post("/api/consultations", json=consultation(item_code=PLEDGE))
    body = answer.json()
    view = api.get(f"/api/lookup/{body['receipt_no']}", params={"code": body["lookup_code"]}).json()
    assert view["item"]["code"] == PLEDGE
    assert view["item"]["name"] == "专利权质押登记"


def test_questions_about_a_suspended_item_are_still_welcome(api) -> None:
    assert api.post("/api/consultations", json=consultation(item_code=SUSPENDED)).status_code == 201


def test_a_form_post_is_accepted_like_json(api) -> None:
    answer = api.post("/api/consultations", data=consultation(), headers=JSON)
    assert answer.status_code == 201
    assert RECEIPT.fullmatch(answer.json()["receipt_no"])


def test_the_honeypot_field_turns_robots_away_and_stores_nothing(api) -> None:
    answer = api.post("/api/consultations", json=consultation(website="http://spam.example"))
    assert answer.status_code == 422
    assert "website" in answer.json()["error"]["fields"]
    assert store_of(api).count("consultation") == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "bad_json"),
        (b'["a list"]', "application/json", 400, "bad_json"),
        (b"name=x", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_unreadable_requests_get_a_clear_4xx(
    api, content: bytes, content_type: str, status: int, code: str
) -> None:
    answer = api.post("/api/consultations", content=content, headers={"Content-Type": content_type})
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", error["message"])


def test_non_text_values_are_refused_not_crashed_on(api) -> None:
    answer = api.post("/api/consultations", json=consultation(name={"first": "林"}, subject=["a", "b"]))
    assert answer.status_code == 422
    assert {"name", "subject"} <= set(answer.json()["error"]["fields"])


def test_phone_numbers_are_not_stored_in_plain_text(api, tmp_path) -> None:
    api.post("/api/consultations", json=consultation(phone="13912345678"))
    stored = store_bytes(tmp_path / "data", api)
    assert b"13912345678" not in stored
    assert "林晓".encode() in stored or b"\\u6797" in stored  # the record itself was written
