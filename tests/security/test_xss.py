"""Stored XSS, tried as an attacker would: payloads in every text field of a consultation and a
complaint (and in a staff reply, which the public sees), then every page that shows them
opened in real Chromium, by staff and by the public. No payload may run (``window.__xss`` stays
unset, no dialog), none may be blocked by the Content-Security-Policy either (that would mean
the page let markup through and only the policy saved it), and the text is shown as text."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Visit
from tests.conftest import start_service
from tests.console import add_staff
from tests.test_staff_browser import staff_login

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "</textarea><script>window.__xss=1</script>",
    "javascript:window.__xss=1",
    "{{7*7}}${7*7}",
]
MARK = "XSS标记"


def post(base: str, path: str, values: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(values).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


@pytest.fixture
def service(built_site: Path, tmp_path: Path) -> Iterator[str]:
    data = tmp_path / "data"
    add_staff(data)
    url, server, thread = start_service(built_site, data, rate_limit="0")
    yield url
    server.should_exit = True
    thread.join(timeout=15)


def ran(visit: Visit) -> bool:
    return bool(visit.page.evaluate("() => window.__xss === 1"))


def test_payloads_in_every_field_never_run_on_any_page(chromium: Any, service: str) -> None:
    receipts = []
    for n, payload in enumerate(PAYLOADS):
        text = f"{MARK}{n} {payload}"
        person = {"name": text[:30], "phone": "13800138000", "subject": text, "message": text}
        receipts.append(post(service, "api/consultations", person))
        receipts.append(post(service, "api/complaints", {"type": "投诉", **person}))
    dialogs: list[str] = []
    staff, public = Visit(chromium, service), Visit(chromium, service)
    for visit in (staff, public):
        visit.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        staff_login(staff, "sun")
        for queue in ("consult_new", "complaints"):
            staff.open(f"staff/?queue={queue}")
            assert not ran(staff)
            assert MARK in staff.page.inner_text("body")  # shown, as text
        for receipt in receipts:
            staff.open(f"staff/records/{receipt['receipt_no']}")
            assert not ran(staff), receipt["receipt_no"]
            assert MARK in staff.page.inner_text("body")  # the payload shown as text
        complaint = receipts[1]  # answered by a supervisor, with a payload the public will see
        staff.open(f"staff/records/{complaint['receipt_no']}")
        staff.page.fill("form[action$='/actions/answer'] textarea", f"{MARK} {PAYLOADS[1]}")
        staff.page.click("form[action$='/actions/answer'] button[type=submit]")
        staff.page.wait_for_load_state("networkidle")
        assert not ran(staff)
        for receipt in receipts:
            query = urllib.parse.urlencode({"code": receipt["lookup_code"]})
            public.open(f"api/lookup/{receipt['receipt_no']}?{query}")
            assert not ran(public), receipt["receipt_no"]
            assert MARK in public.page.inner_text("body")
        public.open("disclosure/")
        assert not ran(public)
        assert "49" not in public.page.inner_text("main")  # no template evaluated the payload
    finally:
        staff.close()
        public.close()  # fails on any Content-Security-Policy violation
    assert dialogs == []
