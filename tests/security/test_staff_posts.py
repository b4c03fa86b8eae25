"""Every POST of the staff console, taken from its routes (a route added later is covered
too): without a session it goes to the login page, with a session but without the CSRF token
(or with another session's) it is refused with 403, and either way nothing changes: no audit
entry, no measure, no job. (Another role than the route allows: the role matrix in
tests/test_staff_access.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.storage.query import Query
from tests.api import JSON, consultation, store_of
from tests.console import console_client, log_in, soup
from tests.test_staff_access import MEASURE, console_routes

PUBLIC = {"/staff/login", "/staff/logout"}


@pytest.fixture
def console(built_site: Path, tmp_path: Path) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data", jobs_in_server="no") as client:
        yield client


def posts(number: str) -> list[str]:
    values = {"receipt_no": number, "action": "accept", "index": "0", "measure_no": "GJ20261207-000001"}
    values["job_id"] = "notice:x"
    return sorted(
        path.format(**values) for method, path in console_routes() if method == "POST" and path not in PUBLIC
    )


def state(console: Any) -> tuple[int, int, int]:
    store = store_of(console)
    return (
        len(store.find(Query("audit"), 1000).rows),
        store.count("measure"),
        sum(store.job_counts().values()),
    )


def test_every_staff_post_needs_a_session_and_its_csrf_token(console: Any) -> None:
    number = console.post("/api/consultations", json=consultation(), headers=JSON).json()["receipt_no"]
    form = {
        "revision": "0",
        "department": "copyright-bureau",
        "text": "答复",
        "kind": "consultation",
        "format": "csv",
    }
    form |= MEASURE
    before = state(console)
    routes = posts(number)
    assert len(routes) >= 6
    for path in routes:
        answer = console.post(path, data=form, follow_redirects=False)  # no session at all
        assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login"), path
    log_in(console, "admin")
    other = soup(console.get("/staff/").text).select_one("input[name=csrf]")["value"]
    log_in(console, "admin")  # a new session: the old token is another session's now
    for path in routes:
        for token in ({}, {"csrf": ""}, {"csrf": other}, {"csrf": other[:-1] + "x"}):
            answer = console.post(path, data={**form, **token}, follow_redirects=False)
            assert answer.status_code == 403, (path, token, answer.status_code)
    assert state(console) == before  # nothing was done
