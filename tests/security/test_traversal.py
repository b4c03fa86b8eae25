"""Path traversal against every route that serves a file: the site's files, a result document,
an application's materials, the exports. Raw paths (no client normalises them) to a real server;
nothing outside what the route serves may come back: not the data key, not /etc/passwd."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from tests.conftest import start_service
from tests.console import PASSWORD, add_staff

UP = ["../", "..%2f", "%2e%2e/", "%2e%2e%2f", "..%252f", "....//", "..\\\\", "%c0%ae%c0%ae/"]
TARGETS = ["etc/passwd", "secrets/data.key", "store/manifest.json", "staff/users.json"]


def paths() -> list[str]:
    found = []
    for up in UP:
        climb = up * 8
        for target in TARGETS:
            found += [
                f"/{climb}{target}",
                f"/assets/{climb}{target}",
                f"/assets/ipps/{climb}{target}",
                f"/api/lookup/{climb}{target}/result-file?code=X",
                f"/api/lookup/{climb}{target}?code=X",
                f"/staff/records/{climb}{target}/files/0",
                f"/staff/records/ZX20261207-000001/files/{climb}{target}",
                f"/disclosure/{climb}{target}",
            ]
    return found


@pytest.fixture(scope="module")
def server(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int, Path]:
    data = tmp_path_factory.mktemp("traversal")
    add_staff(data)
    base, instance, thread = start_service(built_site, data, rate_limit="0")
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    yield base, port, data
    instance.should_exit = True
    thread.join(timeout=15)


def raw_get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("Host", "127.0.0.1")
        if cookie:
            connection.putheader("Cookie", cookie)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_no_path_reaches_outside_what_its_route_serves(server: tuple[str, int, Path]) -> None:
    _, port, data = server
    secrets = [
        (data / "secrets" / "data.key").read_bytes(),
        b"root:x:0:0",
        (data / "staff" / "users.json").read_bytes()[:40],
    ]
    cookie = staff_cookie(port)
    leaks = []
    for path in paths():
        for who in ("", cookie):
            status, body = raw_get(port, path, who)
            if status < 400 and any(secret in body for secret in secrets):
                leaks.append((path, status))
            assert status < 500, (path, status)
    assert leaks == []
    assert raw_get(port, "/assets/ipps/site.css")[0] == 200  # the route does serve its own files


def staff_cookie(port: int) -> str:
    """A supervisor's session cookie, for the console's file routes."""
    import re
    import urllib.parse

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/staff/login")
    answer = connection.getresponse()
    page = answer.read().decode()
    login_cookie = answer.getheader("set-cookie").split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    body = urllib.parse.urlencode({"csrf": token, "username": "sun", "password": PASSWORD})
    connection.request(
        "POST",
        "/staff/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie},
    )
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 303
    return next(c.split(";")[0] for c in answer.headers.get_all("set-cookie") if c.startswith("ipps_staff="))
