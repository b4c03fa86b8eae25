"""The staff console's pages under ``/staff/``: logging in and out, and the home page.

Pages are rendered in the site's look through :class:`forms_api.pages.Pages` from the
templates in generator/templates/staff/. Every request reads the session cookie
(:mod:`.sessions`) and the account behind it (:mod:`.accounts`), so a disabled or removed
account is logged out at its next request, and re-issues the cookie to keep an active
session alive (idle expiry).

Cross-site request forgery: every form that changes something carries the session's token
(:func:`.sessions.check_csrf`). The login form has no session yet; it carries a random
value that is also set as a cookie when the form is shown (double submit): another site can
make a browser post, but cannot read or set that cookie.

The ``Secure`` flag of the cookies follows the request: set when it came over HTTPS (behind a
TLS proxy uvicorn takes the scheme from ``X-Forwarded-Proto``), left off for plain HTTP on
127.0.0.1 during development, where a browser would otherwise drop the cookie.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..fields import Field, Form, clean, validate
from ..service import Service
from ..workdays import china_tz
from .accounts import AccountError, Accounts, User
from .sessions import COOKIE_PATH, Session, SessionManager, check_csrf

LOGIN_COOKIE = "ipps_staff_login"
HOME = "/staff/"
LOGIN = "/staff/login"
RECENT = 50
"""How many of the newest submissions the home page lists."""

LOGIN_FORM = Form(
    "login",
    (
        Field("username", "用户名", max_length=32, autocomplete="username"),
        Field("password", "密码", kind="password", max_length=200, autocomplete="current-password"),
        Field(
            "totp",
            "动态验证码",
            required=False,
            max_length=8,
            autocomplete="one-time-code",
            help="开启了动态验证码的账号填写验证器上的 6 位数字",
        ),
    ),
)


class Console:
    """What the console's pages share: accounts, sessions, the service and the page renderer."""

    def __init__(self, accounts: Accounts, sessions: SessionManager) -> None:
        self.accounts = accounts
        self.sessions = sessions

    def current(self, request: Request) -> tuple[Session, User] | None:
        """The session and its account, or None when not logged in (or no longer allowed)."""
        session = self.sessions.from_request(request)
        if session is None:
            return None
        user = self.accounts.get(session.user)
        if user is None or user.disabled:
            return None
        return session, user


def _console(request: Request) -> Console:
    return request.app.state.console


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a console path only, never another site."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(HOME) or target.startswith("//"):
        return HOME
    return target


def _login_page(
    request: Request,
    token: str,
    values: dict[str, Any],
    errors: dict[str, str],
    summary: str | None,
    status: int,
) -> Response:
    context = {
        "form": LOGIN_FORM,
        "values": values,
        "errors": errors,
        "summary": summary,
        "csrf": token,
        "next": _safe_next(request.query_params.get("next") or values.get("next")),
    }
    response = request.app.state.pages.page("工作人员登录", "staff/login.html", context, status)
    response.set_cookie(
        LOGIN_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def login_form(request: Request) -> Response:
    if _console(request).current(request) is not None:
        return RedirectResponse(HOME, 303)
    return _login_page(request, secrets.token_urlsafe(24), {}, {}, None, 200)


async def login(request: Request) -> Response:
    console = _console(request)
    async with request.form(max_files=0, max_fields=10) as form:
        raw = {name: form.get(name) for name in ("username", "password", "totp", "csrf", "next")}
    values, errors = clean({k: v for k, v in raw.items() if isinstance(v, str)}, LOGIN_FORM)
    errors = validate(values, LOGIN_FORM, errors)
    kept = {"username": values.get("username", ""), "next": raw.get("next") or ""}
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    submitted = raw.get("csrf") if isinstance(raw.get("csrf"), str) else ""
    fresh = secrets.token_urlsafe(24)
    if not cookie or not submitted or not hmac.compare_digest(cookie, str(submitted)):
        summary = "登录页面已过期或来自其他网站，请重新输入后登录"
        return _login_page(request, fresh, kept, {}, summary, 403)
    if errors:
        return _login_page(request, fresh, kept, errors, f"有 {len(errors)} 处需要修改", 422)
    try:
        user = await run_in_threadpool(
            console.accounts.authenticate, values["username"], values["password"], values.get("totp") or None
        )
    except AccountError as exc:
        field = "totp" if "验证码" in str(exc) else "password"
        return _login_page(request, fresh, kept, {field: str(exc)}, "未能登录", 401)
    # a new session (new id and CSRF token) at every login: nothing chosen before it survives
    response = RedirectResponse(_safe_next(str(raw.get("next") or "")), 303)
    console.sessions.set_cookie(response, console.sessions.new(user.name), secure=_secure(request))
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


async def logout(request: Request) -> Response:
    console = _console(request)
    current = console.current(request)
    async with request.form(max_files=0, max_fields=5) as form:
        token = form.get("csrf")
    if current is not None and not check_csrf(current[0], token if isinstance(token, str) else None):
        return request.app.state.pages.message("无法退出", "页面已过期，请刷新后重试", 403)
    response = RedirectResponse(LOGIN, 303)
    console.sessions.clear_cookie(response, secure=_secure(request))
    return response


def login_required(request: Request) -> Response:
    return RedirectResponse(f"{LOGIN}?next={quote(request.url.path)}", 303)


async def home(request: Request) -> Response:
    console = _console(request)
    current = console.current(request)
    if current is None:
        return login_required(request)
    session, user = current
    service: Service = request.app.state.service
    applications = [_application_row(service, r) for r in service.store.recent("application", RECENT)]
    consultations = [_consultation_row(service, r) for r in service.store.recent("consultation", RECENT)]
    if user.role.needs_departments:  # a handler sees the work of her departments only
        mine = set(user.departments)
        applications = [row for row in applications if row["departments"] & mine]
        consultations = [row for row in consultations if row["departments"] & mine]
    departments = service.catalog.departments
    context = {
        "user": user,
        "department_names": [departments[d].name if d in departments else d for d in user.departments],
        "csrf": session.csrf_token,
        "applications": applications,
        "consultations": consultations,
    }
    response = request.app.state.pages.page("工作台", "staff/home.html", context)
    console.sessions.set_cookie(response, console.sessions.touch(session), secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


def mask_name(name: str) -> str:
    """林晓 → 林*, 福州银行股份有限公司 stays (an organisation's name is not personal data)."""
    if len(name) > 6 or any(word in name for word in ("公司", "大学", "学院", "研究", "中心", "协会")):
        return name
    return name[:1] + "*" * max(len(name) - 1, 1)


def _local(timestamp: str) -> str:
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(china_tz())
    return moment.strftime("%Y-%m-%d %H:%M")


def _departments(service: Service, item_ref: dict[str, Any] | None) -> set[str]:
    """The departments responsible for the item a record is about (from the catalog)."""
    found = service.items_by_code.get((item_ref or {}).get("code", ""))
    if found is None:
        return set()
    item = found[1]
    return {item.department, *item.co_departments}


def _application_row(service: Service, record: dict[str, Any]) -> dict[str, Any]:
    applicant = record.get("applicant", {})
    item = record.get("item") or {}
    return {
        "receipt_no": record["receipt_no"],
        "item": item.get("name", "—"),
        "applicant": mask_name(applicant.get("name", "")),
        "id": applicant.get("id_number_masked") or applicant.get("credit_code", ""),
        "phone": applicant.get("phone_masked", ""),
        "submitted": _local(record["submitted_at"]),
        "status": record["status"],
        "due_date": record.get("due_date", ""),
        "departments": _departments(service, item),
    }


def _consultation_row(service: Service, record: dict[str, Any]) -> dict[str, Any]:
    item = record.get("item") or {}
    return {
        "receipt_no": record["receipt_no"],
        "subject": record.get("subject", ""),
        "item": item.get("name", ""),
        "name": mask_name(record.get("name", "")),
        "phone": record.get("phone_masked", ""),
        "submitted": _local(record["submitted_at"]),
        "status": record["status"],
        "departments": _departments(service, item)
        | ({record["department"]} if record.get("department") else set()),
    }


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
