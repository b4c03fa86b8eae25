"""Security headers on every kind of answer, and the console's cookies over HTTPS and HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms_api.web.headers import CONSOLE_CSP, HSTS, NOT_A_PAGE_CSP, SITE_CSP
from tests.api import JSON, consultation
from tests.console import console_client, log_in

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.fixture(params=["http", "https"])
def console(request: pytest.FixtureRequest, built_site: Path, tmp_path: Path) -> Iterator[Any]:
    with console_client(built_site, tmp_path / "data") as client:
        client.base_url = client.base_url.copy_with(scheme=request.param)
        yield client


def kinds(console: Any) -> dict[str, tuple[Any, str]]:
    """One answer of every kind, with the policy it must carry."""
    html = {"Accept": "text/html"}
    receipt = console.post("/api/consultations", json=consultation(), headers=JSON).json()
    answers = {
        "site page": (console.get("/"), SITE_CSP),
        "guide page": (console.get("/items/patent-pledge/"), SITE_CSP),
        "site 404 page": (console.get("/no/such/page/"), SITE_CSP),
        "stylesheet": (console.get("/assets/ipps/site.css"), NOT_A_PAGE_CSP),
        "script": (console.get("/assets/ipps/site.js"), NOT_A_PAGE_CSP),
        "API JSON": (console.get("/api/health"), NOT_A_PAGE_CSP),
        "API error": (console.post("/api/consultations", json={}, headers=JSON), NOT_A_PAGE_CSP),
        "receipt page": (console.post("/api/consultations", data=consultation(), headers=html), SITE_CSP),
        "lookup page": (
            console.get(
                f"/api/lookup/{receipt['receipt_no']}", params={"code": receipt["lookup_code"]}, headers=html
            ),
            SITE_CSP,
        ),
        "disclosure page": (console.get("/disclosure/"), SITE_CSP),
        "staff login": (console.get("/staff/login"), CONSOLE_CSP),
    }
    log_in(console, "sun")
    answers["staff workbench"] = (console.get("/staff/"), CONSOLE_CSP)
    answers["staff record"] = (console.get(f"/staff/records/{receipt['receipt_no']}"), CONSOLE_CSP)
    form = console.get("/staff/export").text
    token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answers["staff export file"] = (
        console.post("/staff/export", data={"csrf": token, "kind": "consultation", "format": "csv"}),
        NOT_A_PAGE_CSP,
    )
    return answers


def test_every_kind_of_answer_carries_the_security_headers(console: Any) -> None:
    https = console.base_url.scheme == "https"
    for kind, (answer, policy) in kinds(console).items():
        assert answer.status_code in (200, 201, 404, 422), (kind, answer.status_code)
        headers = answer.headers
        assert headers["content-security-policy"] == policy, kind
        assert {name: headers.get(name) for name in COMMON} == COMMON, kind
        assert "camera=()" in headers["permissions-policy"], kind
        page = headers.get("content-type", "").startswith("text/html")
        framing = "DENY" if policy != SITE_CSP else "SAMEORIGIN"
        assert headers["x-frame-options"] == framing, kind
        assert page == (policy != NOT_A_PAGE_CSP), kind
        assert headers.get("strict-transport-security") == (HSTS if https else None), kind
    assert "frame-ancestors 'none'" in CONSOLE_CSP and "unsafe-inline" not in SITE_CSP + CONSOLE_CSP


def test_console_cookies_are_secure_and_host_only_over_https(console: Any) -> None:
    https = console.base_url.scheme == "https"
    login = console.get("/staff/login")
    answer = log_in(console, "sun")
    for header in (*login.headers.get_list("set-cookie"), *answer.headers.get_list("set-cookie")):
        attributes = {part.strip().lower() for part in header.split(";")[1:]}
        assert "httponly" in attributes and "samesite=strict" in attributes, header
        assert not any(a.startswith("domain") for a in attributes), header
        if https:
            assert header.startswith("__Host-") and "secure" in attributes and "path=/" in attributes, header
        else:
            assert not header.startswith("__Host-") and "secure" not in attributes, header
    assert console.get("/staff/", follow_redirects=False).status_code == 200  # the cookie works
