"""Signed, expiring session cookies for the staff console, and the CSRF token they carry.

The session lives in the cookie, not on the server: its value is a JSON payload (user name,
issued-at, last-seen, CSRF token, session id), base64url-encoded, a dot, and the base64url
HMAC-SHA256 of the encoded payload under a key kept in ``<data_dir>/secrets/session.key``
(32 random bytes, created on first use with mode 600, like the data key of
:mod:`forms_api.storage.crypto`). Anything wrong with a cookie — unreadable, signed with another
key, altered, idle for more than 30 minutes, older than 8 hours — means "not logged in":
:meth:`SessionManager.decode` answers None and never raises.

Idle expiry works by re-issuing the cookie with a new last-seen time (:meth:`touch`) as the
person uses the console; the absolute limit counts from the login and cannot be extended.
Being stateless, a cookie cannot be revoked before it expires: the pages check on each
request that the user still exists and is not disabled, and deleting the key file logs
everybody out. The session id is there so that a later revocation list can name sessions.

Cookie attributes: ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's
page sends it), ``Path=/staff`` (the public pages never see it), ``Secure`` unless turned
off for plain-HTTP development on 127.0.0.1. No ``Max-Age``: it ends with the browser.

CSRF: each session has a random synchronizer token that the console's forms carry in a
hidden field; :func:`check_csrf` compares it in constant time. SameSite=Strict already stops
cross-site posts in current browsers; the token is the defence that does not depend on that.

The module needs Starlette only for the three small helpers at the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms_api.storage.keys import KeyFileError, fingerprint, load_or_create

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

COOKIE_NAME = "ipps_staff"
COOKIE_PATH = "/staff"


def cookie(name: str, secure: bool) -> tuple[str, str]:
    """A console cookie's (name, path) for a request over HTTPS (``secure``) or not.

    Over HTTPS the name takes the ``__Host-`` prefix, with which a browser accepts the cookie
    only from this host itself, Secure and for ``/`` (no other subdomain can set or shadow it);
    the prefix requires the path ``/``. Over plain HTTP (development on 127.0.0.1, where a
    Secure cookie would be dropped) the plain name, for ``/staff`` only."""
    return (f"__Host-{name}", "/") if secure else (name, COOKIE_PATH)


IDLE_TIMEOUT = 30 * 60
"""Seconds without a request after which a session ends."""
ABSOLUTE_TIMEOUT = 8 * 60 * 60
"""Seconds after the login at which a session ends however active it is."""


SessionKeyError = KeyFileError
"""A session key that cannot be used (the message says why, in Chinese)."""


@dataclass(frozen=True)
class Session:
    user: str
    issued_at: int
    """Unix seconds of the login."""
    last_seen: int
    """Unix seconds of the last request that refreshed the cookie."""
    csrf_token: str
    session_id: str
    notice: str = ""
    """What the console tells the user for this session (failed logins on the account since the
    previous success, :mod:`forms_api.domain.staff.attempts`)."""


def session_key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "secrets" / "session.key"


def load_key(path: Path) -> bytes:
    """The key at ``path``, created (mode 600) when there is none yet."""
    return load_or_create(path, "会话密钥文件")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionManager:
    """Issues, reads and refreshes session cookies signed with one key."""

    def __init__(
        self,
        key: bytes,
        *,
        secure: bool = True,
        idle_timeout: int = IDLE_TIMEOUT,
        absolute_timeout: int = ABSOLUTE_TIMEOUT,
    ) -> None:
        if len(key) < 16:
            raise SessionKeyError("会话密钥太短")
        self._key = hashlib.sha256(b"ipps staff sessions" + key).digest()
        self.fingerprint = fingerprint(key, "session")
        """Identifies the key (see :func:`forms_api.storage.keys.fingerprint`)."""
        self.secure = secure
        self.idle_timeout = idle_timeout
        self.absolute_timeout = absolute_timeout

    @classmethod
    def open(cls, data_dir: Path, *, secure: bool = True) -> SessionManager:
        return cls(load_key(session_key_path(data_dir)), secure=secure)

    def new(self, user: str, now: float | None = None, *, notice: str = "") -> Session:
        """A fresh session for ``user``, just logged in (new id and CSRF token)."""
        moment = int(time.time() if now is None else now)
        return Session(user, moment, moment, secrets.token_urlsafe(32), secrets.token_urlsafe(16), notice)

    def touch(self, session: Session, now: float | None = None) -> Session:
        """The session with its last-seen time moved to ``now``: re-issue it to keep it alive."""
        return replace(session, last_seen=int(time.time() if now is None else now))

    def encode(self, session: Session) -> str:
        payload = {
            "u": session.user,
            "iat": session.issued_at,
            "seen": session.last_seen,
            "csrf": session.csrf_token,
            "sid": session.session_id,
            **({"n": session.notice} if session.notice else {}),
        }
        body = _b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        return f"{body}.{_b64encode(self._sign(body))}"

    def decode(self, value: str | None, now: float | None = None) -> Session | None:
        """The session in a cookie value, or None when it is missing, not ours, altered or expired."""
        if not value or value.count(".") != 1:
            return None
        body, signature = value.split(".")
        try:
            if not hmac.compare_digest(_b64decode(signature), self._sign(body)):
                return None
            payload: Any = json.loads(_b64decode(body))
            session = Session(
                user=payload["u"],
                issued_at=payload["iat"],
                last_seen=payload["seen"],
                csrf_token=payload["csrf"],
                session_id=payload["sid"],
                notice=str(payload.get("n", "")),
            )
        except (ValueError, TypeError, KeyError):  # binascii.Error and JSON errors are ValueErrors
            return None
        if not all(isinstance(v, str) and v for v in (session.user, session.csrf_token, session.session_id)):
            return None
        if not all(type(v) is int for v in (session.issued_at, session.last_seen)):
            return None
        moment = time.time() if now is None else now
        if moment - session.last_seen >= self.idle_timeout:
            return None
        if moment - session.issued_at >= self.absolute_timeout:
            return None
        return session

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()

    # -- Starlette helpers -----------------------------------------------------------------

    def from_request(self, request: Request, now: float | None = None) -> Session | None:
        """The staff session of ``request``, or None when not logged in."""
        name, _ = cookie(COOKIE_NAME, request.url.scheme == "https")
        return self.decode(request.cookies.get(name), now)

    def set_cookie(self, response: Response, session: Session, *, secure: bool | None = None) -> None:
        """``secure`` overrides the manager's setting for this response (e.g. per request scheme)."""
        secure = self.secure if secure is None else secure
        name, path = cookie(COOKIE_NAME, secure)
        response.set_cookie(
            name, self.encode(session), path=path, secure=secure, httponly=True, samesite="strict"
        )

    def clear_cookie(self, response: Response, *, secure: bool | None = None) -> None:
        secure = self.secure if secure is None else secure
        name, path = cookie(COOKIE_NAME, secure)
        response.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="strict")


def check_csrf(session: Session | None, submitted: str | None) -> bool:
    """Whether ``submitted`` is this session's CSRF token (constant-time comparison)."""
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf_token.encode("utf-8"), submitted.encode("utf-8"))
