"""Staff session cookies: signing, expiry, tampering, the key file, CSRF, cookie attributes."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response

from forms_api.console.sessions import (
    ABSOLUTE_TIMEOUT,
    COOKIE_NAME,
    IDLE_TIMEOUT,
    SessionKeyError,
    SessionManager,
    check_csrf,
    load_key,
    session_key_path,
)

T0 = 1_800_000_000


@pytest.fixture
def manager(tmp_path) -> SessionManager:
    return SessionManager.open(tmp_path)


def test_round_trip(manager: SessionManager) -> None:
    session = manager.new("alice", now=T0)
    assert session.issued_at == session.last_seen == T0
    assert manager.decode(manager.encode(session), now=T0 + 5) == session


def test_each_login_gets_its_own_id_and_csrf_token(manager: SessionManager) -> None:
    first, second = manager.new("alice", now=T0), manager.new("alice", now=T0)
    assert first.session_id != second.session_id
    assert first.csrf_token != second.csrf_token


def test_the_key_is_created_once_with_mode_600(tmp_path) -> None:
    path = session_key_path(tmp_path)
    key = load_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == key
    value = SessionManager(key).encode(SessionManager(key).new("alice", now=T0))
    assert SessionManager.open(tmp_path).decode(value, now=T0) is not None


def test_a_key_file_readable_by_others_is_refused(tmp_path) -> None:
    path = session_key_path(tmp_path)
    load_key(path)
    path.chmod(0o644)
    with pytest.raises(SessionKeyError, match="权限过宽"):
        load_key(path)


def test_another_key_does_not_accept_the_cookie(manager: SessionManager, tmp_path) -> None:
    value = manager.encode(manager.new("alice", now=T0))
    other = SessionManager.open(tmp_path / "elsewhere")
    assert other.decode(value, now=T0) is None


def _reencode(value: str, **changes) -> str:
    body, signature = value.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{new_body}.{signature}"


def test_tampered_cookies_mean_not_logged_in(manager: SessionManager) -> None:
    value = manager.encode(manager.new("alice", now=T0))
    assert manager.decode(_reencode(value, u="admin"), now=T0) is None
    assert manager.decode(_reencode(value, seen=T0 + 3600), now=T0 + 3600) is None
    body, signature = value.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert manager.decode(f"{body}.{flipped}", now=T0) is None
    for junk in ("", "garbage", "a.b.c", "!!!.???", f"{body}.", f".{signature}"):
        assert manager.decode(junk, now=T0) is None
    assert manager.decode(None, now=T0) is None


def test_idle_expiry_and_touch(manager: SessionManager) -> None:
    session = manager.new("alice", now=T0)
    value = manager.encode(session)
    assert manager.decode(value, now=T0 + IDLE_TIMEOUT - 1) is not None
    assert manager.decode(value, now=T0 + IDLE_TIMEOUT) is None
    refreshed = manager.encode(manager.touch(session, now=T0 + IDLE_TIMEOUT - 1))
    assert manager.decode(refreshed, now=T0 + 2 * IDLE_TIMEOUT - 2) is not None


def test_absolute_expiry_cannot_be_extended_by_activity(manager: SessionManager) -> None:
    session = manager.new("alice", now=T0)
    moment = T0
    while moment + 20 * 60 < T0 + ABSOLUTE_TIMEOUT:
        moment += 20 * 60
        assert manager.decode(manager.encode(session), now=moment) is not None
        session = manager.touch(session, now=moment)
    assert manager.decode(manager.encode(session), now=T0 + ABSOLUTE_TIMEOUT - 1) is not None
    assert manager.decode(manager.encode(session), now=T0 + ABSOLUTE_TIMEOUT) is None


def test_csrf_token_must_match_the_session(manager: SessionManager) -> None:
    session = manager.new("alice", now=T0)
    other = manager.new("alice", now=T0)
    assert check_csrf(session, session.csrf_token)
    assert not check_csrf(session, other.csrf_token)
    assert not check_csrf(session, "")
    assert not check_csrf(session, None)
    assert not check_csrf(None, session.csrf_token)
    assert not check_csrf(session, session.csrf_token + "x")


def _request(cookie: str | None, *, https: bool = True, name: str | None = None) -> Request:
    name = name or (f"__Host-{COOKIE_NAME}" if https else COOKIE_NAME)
    headers = [(b"cookie", f"{name}={cookie}".encode())] if cookie else []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/staff/",
        "headers": headers,
        "scheme": "https" if https else "http",
        "server": ("ipps.example.cn", 443 if https else 80),
    }
    return Request(scope)


def test_starlette_helpers(manager: SessionManager) -> None:
    """Over HTTPS: the __Host- name (Secure, host-only, path /), which a sibling subdomain
    cannot set or shadow; the plain name for /staff over plain HTTP is not read then."""
    session = manager.new("alice")
    response = Response()
    manager.set_cookie(response, session)
    header = response.headers["set-cookie"]
    name, value = header.split(";")[0].split("=", 1)
    attributes = {part.strip().lower() for part in header.split(";")[1:]}
    assert name == f"__Host-{COOKIE_NAME}"
    assert {"httponly", "path=/", "samesite=strict", "secure"} <= attributes
    assert not any(a.startswith(("max-age", "expires", "domain")) for a in attributes)
    assert manager.from_request(_request(value)) == session
    assert manager.from_request(_request(value, name=COOKIE_NAME)) is None  # over HTTPS: only __Host-
    assert manager.from_request(_request(None)) is None
    assert manager.from_request(_request("forged.value")) is None

    cleared = Response()
    manager.clear_cookie(cleared)
    header = cleared.headers["set-cookie"]
    assert header.startswith(f"__Host-{COOKIE_NAME}=") and "max-age=0" in header.lower()
    assert "path=/;" in header.lower() + ";"


def test_secure_can_be_turned_off_for_plain_http(tmp_path) -> None:
    manager = SessionManager.open(tmp_path, secure=False)
    response = Response()
    session = manager.new("alice")
    manager.set_cookie(response, session)
    header = response.headers["set-cookie"]
    assert "secure" not in header.lower() and "path=/staff" in header.lower()
    assert header.startswith(f"{COOKIE_NAME}=")  # no prefix: a browser drops __Host- without Secure
    value = header.split(";")[0].split("=", 1)[1]
    assert manager.from_request(_request(value, https=False)) == session


def _load(path: str) -> bytes:
    return load_key(Path(path))


def test_processes_starting_at_once_share_one_key(tmp_path: Path) -> None:
    import concurrent.futures
    import multiprocessing

    path = tmp_path / "secrets" / "session.key"
    context = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
    with concurrent.futures.ProcessPoolExecutor(8, mp_context=context) as pool:
        keys = list(pool.map(_load, [str(path)] * 8))
    assert len(set(keys)) == 1 and keys[0] == load_key(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["session.key"]  # no temporary files left
