"""Logging in to the staff console and out of it (``/staff/login``, ``/staff/logout``).

Pages are rendered in the site's look through :class:`forms_api.web.pages.Pages` from the
templates in forms_api/console/templates/. Every request reads the session cookie
(:mod:`.sessions`) and the account behind it (:mod:`forms_api.domain.staff.accounts`), so a disabled or removed
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

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forms_api.domain.staff.accounts import AccountError, InvalidCredentials, InvalidSecondFactor, utcnow
from forms_api.web.limits import client_of
from generator.forms.fields import Field, Form, clean, validate

from .access import Console, secure
from .sessions import check_csrf, cookie

log = logging.getLogger("ipps.security")

LOGIN_COOKIE = "ipps_staff_login"
HOME = "/staff/"
LOGIN = "/staff/login"

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


def _console(request: Request) -> Console:
    return request.app.state.console


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
    *,
    retry_after: int | None = None,
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
    name, path = cookie(LOGIN_COOKIE, secure(request))
    response.set_cookie(name, token, path=path, httponly=True, samesite="strict", secure=secure(request))
    response.headers["Cache-Control"] = "no-store"
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def login_form(request: Request) -> Response:
    if _console(request).current(request) is not None:
        return RedirectResponse(HOME, 303)
    return _login_page(request, secrets.token_urlsafe(24), {}, {}, None, 200)


async def login(request: Request) -> Response:
    console = _console(request)
    limiter = request.app.state.login_limiter
    if limiter is not None and (wait := await limiter.retry_after(client_of(request))) is not None:
        message = f"登录尝试过于频繁，请 {wait} 秒后再试"
        return request.app.state.pages.message(
            "登录过于频繁", message, 429, headers={"Retry-After": str(wait)}
        )
    async with request.form(max_files=0, max_fields=10) as form:
        raw = {name: form.get(name) for name in ("username", "password", "totp", "csrf", "next")}
    values, errors = clean({k: v for k, v in raw.items() if isinstance(v, str)}, LOGIN_FORM)
    errors = validate(values, LOGIN_FORM, errors)
    kept = {"username": values.get("username", ""), "next": raw.get("next") or ""}
    login_cookie, login_path = cookie(LOGIN_COOKIE, secure(request))
    offered = request.cookies.get(login_cookie, "")
    submitted = raw.get("csrf") if isinstance(raw.get("csrf"), str) else ""
    fresh = secrets.token_urlsafe(24)
    if not offered or not submitted or not hmac.compare_digest(offered, str(submitted)):
        summary = "登录页面已过期或来自其他网站，请重新输入后登录"
        return _login_page(request, fresh, kept, {}, summary, 403)
    if errors:
        return _login_page(request, fresh, kept, errors, f"有 {len(errors)} 处需要修改", 422)
    name, client, now = values["username"].strip().lower(), client_of(request), utcnow()
    if (wait := await run_in_threadpool(console.attempts.wait, name, client, now)) is not None:
        message = f"该账号登录失败次数较多，请 {wait} 秒后再试"
        log.warning("login throttled", extra={"fields": {"account": name, "wait": wait}})
        return _login_page(request, fresh, kept, {"password": message}, "请稍后再试", 429, retry_after=wait)
    try:
        user = await run_in_threadpool(
            console.accounts.authenticate, name, values["password"], values.get("totp") or None
        )
    except AccountError as exc:
        if isinstance(exc, InvalidCredentials | InvalidSecondFactor):  # counted; a prompt is not
            await run_in_threadpool(console.attempts.failed, name, client, now)
            log.info("login failed", extra={"fields": {"account": name}})
        field = "totp" if "验证码" in str(exc) else "password"
        return _login_page(request, fresh, kept, {field: str(exc)}, "未能登录", 401)
    since = await run_in_threadpool(console.attempts.succeeded, user.name, client, now)
    # a new session (new id and CSRF token) at every login: nothing chosen before it survives
    response = RedirectResponse(_safe_next(str(raw.get("next") or "")), 303)
    session = console.sessions.new(user.name, notice=since.text())
    console.sessions.set_cookie(response, session, secure=secure(request))
    response.delete_cookie(
        login_cookie, path=login_path, secure=secure(request), httponly=True, samesite="strict"
    )
    return response


async def logout(request: Request) -> Response:
    console = _console(request)
    current = console.current(request)
    async with request.form(max_files=0, max_fields=5) as form:
        token = form.get("csrf")
    if current is not None and not check_csrf(current[0], token if isinstance(token, str) else None):
        return request.app.state.pages.message("无法退出", "页面已过期，请刷新后重试", 403)
    response = RedirectResponse(LOGIN, 303)
    console.sessions.clear_cookie(response, secure=secure(request))
    return response
