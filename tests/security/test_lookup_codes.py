"""Guessing lookup codes: 10 wrong codes for a receipt within the hour, from anywhere, and that
receipt answers 429 for the rest of the hour (other receipts do not); the guess that used the
allowance up is in the audit log. Both engines, and against a real server with a changing
X-Forwarded-For."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from forms_api.storage.query import Query
from forms_api.web.routes import CODE_GUESSES
from tests.api import JSON, consultation, store_of
from tests.conftest import start_service
from tests.console import console_client

GUESSES = CODE_GUESSES[0]


def test_a_receipt_with_too_many_wrong_codes_answers_429_and_staff_are_told(
    built_site: Path, tmp_path: Path, engine: Any
) -> None:
    with console_client(built_site, tmp_path / "data", database_url=engine.url or "") as api:
        mine = api.post("/api/consultations", json=consultation(), headers=JSON).json()
        other = api.post("/api/consultations", json=consultation(), headers=JSON).json()
        number = mine["receipt_no"]
        wrong = [
            api.get(f"/api/lookup/{number}", params={"code": f"WRONG{n:03d}"}, headers=JSON)
            for n in range(GUESSES)
        ]
        assert [a.status_code for a in wrong] == [404] * GUESSES  # like an unknown receipt
        blocked = api.get(f"/api/lookup/{number}", params={"code": mine["lookup_code"]}, headers=JSON)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 3000
        assert "输错次数过多" in blocked.json()["error"]["message"]
        correction = api.get(f"/api/lookup/{number}/correction", params={"code": mine["lookup_code"]})
        assert correction.status_code == 429  # the correction form is behind the same guard
        view = api.get(
            f"/api/lookup/{other['receipt_no']}", params={"code": other["lookup_code"]}, headers=JSON
        )
        assert view.status_code == 200  # other receipts are not held
        (entry,) = store_of(api).find(Query("audit", target=number), 10).rows
        assert (entry["actor"], entry["action"]) == ("系统", "lookup_throttled")


def test_unknown_receipts_are_held_alike_so_429_tells_nothing(built_site: Path, tmp_path: Path) -> None:
    with console_client(built_site, tmp_path / "data") as api:
        for n in range(GUESSES):
            api.get("/api/lookup/ZX20200101-999999", params={"code": f"WRONG{n:03d}"}, headers=JSON)
        assert api.get("/api/lookup/ZX20200101-999999", params={"code": "X"}, headers=JSON).status_code == 429
        assert store_of(api).find(Query("audit"), 10).rows == []  # no record: nothing to tell staff


def get(url: str, forwarded: str) -> int:
    request = urllib.request.Request(
        url, headers={"X-Forwarded-For": forwarded, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_changing_forwarded_address_does_not_reset_the_count(built_site: Path, tmp_path: Path) -> None:
    base, server, thread = start_service(built_site, tmp_path / "data", rate_limit="10/minute")
    try:
        data = json.dumps(consultation()).encode()
        request = urllib.request.Request(
            base + "api/consultations",
            data=data,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            receipt = json.load(answer)
        url = f"{base}api/lookup/{receipt['receipt_no']}?code="
        statuses = [get(url + f"WRONG{n:03d}", f"198.51.100.{n}") for n in range(GUESSES)]
        assert statuses == [404] * GUESSES  # every guess from "another" address, as a proxy says
        assert get(url + receipt["lookup_code"], "198.51.100.200") == 429
    finally:
        server.should_exit = True
        thread.join(timeout=15)
