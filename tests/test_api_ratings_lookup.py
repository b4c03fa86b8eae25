"""POST /api/ratings (好差评, 9.1) and GET /api/lookup (progress of one's own submission)."""

from __future__ import annotations

import pytest

from forms_api.web.routes import NOT_FOUND
from tests.api import JSON, PLEDGE, SUSPENDED, consultation, store_of


@pytest.fixture
def receipt(api) -> dict:
    return api.post("/api/consultations", json=consultation(), headers=JSON).json()


def rate(api, **values):
    return api.post("/api/ratings", json=values, headers=JSON)


# --- ratings ------------------------------------------------------------------------------------


def test_a_service_received_is_rated_once(api, receipt) -> None:
    first = rate(api, receipt_no=receipt["receipt_no"], lookup_code=receipt["lookup_code"], level="1")
    assert first.status_code == 201
    assert first.json()["receipt_no"].startswith("PJ")
    assert first.json()["bad"] is False
    again = rate(api, receipt_no=receipt["receipt_no"], lookup_code=receipt["lookup_code"], level="2")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "已经评价过" in again.json()["error"]["message"]
    assert store_of(api).count("rating") == 1


def test_the_receipt_number_is_read_however_it_is_typed(api, receipt) -> None:
    typed = " " + receipt["receipt_no"].lower() + " "
    answer = rate(api, receipt_no=typed, lookup_code=receipt["lookup_code"].lower(), level="2")
    assert answer.status_code == 201, answer.text


def test_levels_four_and_five_are_bad_ratings_that_need_a_reason(api, receipt) -> None:
    mine = {"receipt_no": receipt["receipt_no"], "lookup_code": receipt["lookup_code"]}
    answer = rate(api, **mine, level="5")
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"comment"}
    answer = rate(api, **mine, level="4", comment="等了两周没人答复")
    assert answer.status_code == 201
    assert answer.json()["bad"] is True
    stored = store_of(api).get(answer.json()["receipt_no"])
    assert stored["bad"] is True and stored["level"] == 4 and stored["receipt_no"] == receipt["receipt_no"]


def test_a_guide_is_rated_by_its_item_with_sub_indicators(api) -> None:
    answer = rate(api, item_code=PLEDGE, level="2", guide_accuracy="1", usability="3")
    assert answer.status_code == 201
    stored = store_of(api).get(answer.json()["receipt_no"])
    assert stored["item"]["code"] == PLEDGE
    assert stored["sub"] == {"guide_accuracy": 1, "usability": 3}
    # guides may be rated many times
    assert rate(api, item_code=PLEDGE, level="1").status_code == 201
    # a suspended item's guide is still published, and may be rated
    assert rate(api, item_code=SUSPENDED, level="3").status_code == 201


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"level": "3"}, {"receipt_no"}),
        ({"item_code": PLEDGE, "level": "6"}, {"level"}),
        ({"item_code": PLEDGE, "level": "0"}, {"level"}),
        ({"item_code": PLEDGE}, {"level"}),
        ({"item_code": PLEDGE, "level": "2", "efficiency": "9"}, {"efficiency"}),
        ({"item_code": "无此事项", "level": "2"}, {"item_code"}),
        ({"item_code": PLEDGE, "level": "2", "comment": "长" * 501}, {"comment"}),
    ],
)
def test_rating_mistakes_are_named_by_field(api, values: dict, fields: set) -> None:
    answer = rate(api, **values)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == fields


def test_a_rating_needs_the_right_lookup_code(api, receipt) -> None:
    answer = rate(api, receipt_no=receipt["receipt_no"], lookup_code="WRONG123", level="1")
    assert answer.status_code == 422
    assert "查询码" in answer.json()["error"]["fields"]["receipt_no"]
    answer = rate(api, receipt_no=receipt["receipt_no"], level="1")
    assert set(answer.json()["error"]["fields"]) == {"lookup_code"}


def test_a_rating_is_not_itself_ratable(api) -> None:
    rating = rate(api, item_code=PLEDGE, level="1").json()
    answer = rate(api, receipt_no=rating["receipt_no"], lookup_code="ANYTHING", level="1")
    assert answer.status_code == 422


# --- lookup -------------------------------------------------------------------------------------


def test_lookup_shows_status_and_timeline(api, receipt) -> None:
    answer = api.get(f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]})
    assert answer.status_code == 200
    view = answer.json()
    assert view["receipt_no"] == receipt["receipt_no"]
    assert view["status"] == "已提交"
    assert view["kind"] == "咨询"
    assert [step["state"] for step in view["timeline"]] == ["已提交"]
    assert view["corrections"] == [] and view["reply"] is None and view["rated"] is False
    # what the public may not see is not there
    assert not {"lookup", "phone_enc", "phone_masked", "name", "message"} & set(view)


def test_lookup_knows_when_a_submission_was_rated(api, receipt) -> None:
    rate(api, receipt_no=receipt["receipt_no"], lookup_code=receipt["lookup_code"], level="1")
    view = api.get(f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]}).json()
    assert view["rated"] is True


def test_lookup_by_query_parameters(api, receipt) -> None:
    answer = api.get(
        "/api/lookup", params={"receipt_no": receipt["receipt_no"], "code": receipt["lookup_code"]}
    )
    assert answer.status_code == 200
    assert answer.json()["receipt_no"] == receipt["receipt_no"]


def test_a_wrong_code_answers_exactly_as_an_unknown_receipt(api, receipt) -> None:
    wrong_code = api.get(f"/api/lookup/{receipt['receipt_no']}", params={"code": "AAAAAAAA"})
    unknown = api.get("/api/lookup/ZX20200101-999999", params={"code": receipt["lookup_code"]})
    no_code = api.get(f"/api/lookup/{receipt['receipt_no']}")
    for answer in (wrong_code, unknown, no_code):
        assert answer.status_code == 404
        assert answer.json() == {"error": {"code": "not_found", "message": NOT_FOUND, "fields": {}}}
    assert wrong_code.content == unknown.content
    assert wrong_code.headers.keys() == unknown.headers.keys()


def test_a_rating_number_cannot_be_looked_up(api) -> None:
    rating = rate(api, item_code=PLEDGE, level="1").json()
    assert api.get(f"/api/lookup/{rating['receipt_no']}", params={"code": "x"}).status_code == 404
