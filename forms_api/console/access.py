"""Who may open which console page: the login check, the role check and the CSRF check, once.

Every console page is a function ``(request, staff) -> Response`` wrapped by :func:`page`,
which names the roles allowed (none: every staff role). The wrapper answers, in order:

- not logged in (or the account is disabled or gone): to the login page, then back here;
- logged in with another role: 403, a page saying which roles may;
- a POST whose CSRF token is not the session's: 403 (the form is read here for it, so the
  handler gets the parsed form in ``staff.form``);
- otherwise the handler's response, with the session's idle expiry renewed and caching off.

The table of routes and roles is therefore the list of ``@page(...)`` lines, and the role
matrix test walks the routes of :data:`forms_api.console.routes.ROUTES` through it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forms_api.domain.staff.accounts import Accounts, User
from forms_api.domain.staff.attempts import LoginAttempts
from forms_api.domain.staff.roles import ACCEPTOR, ADMIN, AUDITOR, ROLES, SUPERVISOR
from forms_api.domain.workflow import Actor

from .sessions import Session, SessionManager, check_csrf

LOGIN = "/staff/login"

MAX_FILES = 1
"""Console forms carry at most one file (a result document)."""


class Console:
    """What the console's pages share: accounts, sessions and the login attempts."""

    def __init__(self, accounts: Accounts, sessions: SessionManager, attempts: LoginAttempts) -> None:
        self.accounts = accounts
        self.sessions = sessions
        self.attempts = attempts

    def current(self, request: Request) -> tuple[Session, User] | None:
        """The session and its account, or None when not logged in (or no longer allowed)."""
        session = self.sessions.from_request(request)
        if session is None:
            return None
        user = self.accounts.get(session.user)
        if user is None or user.disabled:
            return None
        return session, user


@dataclass
class Staff:
    """The member of staff a page is for, and what came with the request."""

    session: Session
    user: User
    form: FormData | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return Actor(self.user.name, self.user.role.id, frozenset(self.user.departments))

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


AUDIT_ROLES = (AUDITOR.id, ADMIN.id)
"""Who reads the audit log."""
EXPORT_ROLES = (SUPERVISOR.id, ADMIN.id)
"""Who exports lists of submissions."""
MEASURE_ROLES = (SUPERVISOR.id, ADMIN.id)
"""Who records improvement measures (改进措施)."""
MEASURE_READERS = (*MEASURE_ROLES, AUDITOR.id)
"""Who reads them."""
JOB_ROLES = (SUPERVISOR.id, ADMIN.id)
"""Who watches the background jobs (后台任务): failed notices and the like."""
RETRY_ROLES = (ACCEPTOR.id, SUPERVISOR.id, ADMIN.id)
"""Who may queue a failed job again (the record page offers it to them as well)."""
APPOINTMENT_ROLES = (ACCEPTOR.id, SUPERVISOR.id, ADMIN.id)
"""Who sees the day's appointments at the windows (预约名单) and marks 已到 / 未到."""


def bar_context(staff: Staff, catalog: Any) -> dict[str, Any]:
    """What every console page's top bar shows (``staff/bar.html``)."""
    departments = catalog.departments
    return {
        "user": staff.user,
        "csrf": staff.csrf,
        "department_names": [departments[d].name if d in departments else d for d in staff.user.departments],
        "may_audit": staff.user.role.id in AUDIT_ROLES,
        "may_export": staff.user.role.id in EXPORT_ROLES,
        "may_measure": staff.user.role.id in MEASURE_READERS,
        "may_jobs": staff.user.role.id in JOB_ROLES,
        "may_appointments": staff.user.role.id in APPOINTMENT_ROLES,
    }


Handler = Callable[[Request, Staff], Awaitable[Response]]


def console_of(request: Request) -> Console:
    return request.app.state.console


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def page(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a console page: login, ``roles`` (ids; none means every staff role), CSRF on POST."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            console = console_of(request)
            current = console.current(request)
            if current is None:
                target = request.url.path if request.method == "GET" else "/staff/"
                return RedirectResponse(f"{LOGIN}?next={quote(target)}", 303)
            session, user = current
            if roles and user.role.id not in roles:
                allowed = "、".join(ROLES[r].label for r in roles)
                return _refuse(
                    request, "无权访问", f"这个页面只对{allowed}开放，您的角色是{user.role.label}", 403
                )
            staff = Staff(session, user)
            if request.method == "POST":
                try:
                    staff.form = await request.form(max_files=MAX_FILES, max_fields=200)
                except Exception:  # python-multipart's limits and parse errors
                    return _refuse(request, "无法处理", "提交的表单无法读取，请返回后重试", 400)
                token = staff.form.get("csrf")
                if not check_csrf(session, token if isinstance(token, str) else None):
                    await staff.form.close()
                    return _refuse(request, "页面已过期", "页面已过期或来自其他网站，请刷新后重试", 403)
            try:
                response = await handler(request, staff)
            finally:
                if staff.form is not None:
                    await staff.form.close()
            console.sessions.set_cookie(response, console.sessions.touch(session), secure=secure(request))
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        endpoint.roles = roles  # type: ignore[attr-defined]  # read by the role matrix test
        return endpoint

    return wrap


def _refuse(request: Request, title: str, message: str, status: int) -> Response:
    response = request.app.state.pages.message(title, message, status)
    response.headers["Cache-Control"] = "no-store"
    return response
