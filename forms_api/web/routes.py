"""The HTTP API: JSON in and out for scripts, HTML pages for browsers posting forms."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forms_api.domain.errors import Conflict, Invalid
from forms_api.domain.submissions import Receipt, Service, Upload
from forms_api.domain.workflow import SYSTEM, Actor
from forms_api.metrics import SUBMISSIONS
from forms_api.storage.embedded.store import StoreUnavailable
from forms_api.storage.limits import Limiter
from generator import forms

from .limits import client_of, foreign_origin
from .responses import error_response, wants_html

MAX_FIELD_BYTES = 64 * 1024
"""A text field longer than this is not a form field (the longest form text is 2,000 characters)."""


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def service_of(request: Request) -> Service:
    return request.app.state.service


def channel_of(request: Request) -> str:
    """评价渠道 / 受理渠道 as the rating and case records name them."""
    agent = request.headers.get("user-agent", "")
    if "Mozilla" not in agent:
        return "接口"
    return "移动端" if "Mobile" in agent else "PC端"


async def read_payload(request: Request, *, files: bool = False) -> tuple[dict[str, Any], list[Upload]]:
    """The submitted fields (JSON object or form) and, for multipart forms, the file parts."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    settings = service_of(request).settings
    if content_type == "application/json":
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise BadRequest(400, "bad_json", "请求内容不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise BadRequest(400, "bad_json", "请求内容应为 JSON 对象")
        return data, []
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise BadRequest(
            415, "unsupported_media_type", "请以 JSON（application/json）或表单（multipart/form-data）提交"
        )
    files_allowed = settings.max_fields if files else 0
    try:
        form = await request.form(
            max_files=files_allowed, max_fields=settings.max_fields, max_part_size=MAX_FIELD_BYTES
        )
    except Exception as exc:  # python-multipart's and Starlette's limits and parse errors
        raise BadRequest(400, "bad_form", f"表单内容无法读取：{_form_problem(exc)}") from None
    values: dict[str, Any] = {}
    uploads: list[Upload] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            if value.filename or data:
                uploads.append(Upload(name, value.filename or "", data))
        elif name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    await form.close()
    return values, uploads


def _form_problem(exc: Exception) -> str:
    text = str(exc)
    if "Too many files" in text:
        return "文件数量过多"
    if "Too many fields" in text:
        return "字段数量过多"
    if "Part exceeded maximum size" in text:
        return "某个字段的内容过长"
    return "格式不正确"


Submit = Callable[[Service, dict[str, Any], list[Upload], str], Awaitable[Receipt]]


CODE_GUESSES = (10, 3600)
"""Wrong lookup codes allowed per receipt, and within how many seconds."""
SYSTEM_ACTOR = Actor("系统", SYSTEM)
access = logging.getLogger("ipps.security")


async def too_often(request: Request, limiter: Limiter | None, action: str) -> Response | None:
    """429 with Retry-After when this client has used up its allowance; None otherwise."""
    if limiter is None or (wait := await limiter.retry_after(client_of(request))) is None:
        return None
    return error_response(
        request,
        429,
        "rate_limited",
        f"{action}过于频繁，请 {wait} 秒后再试",
        headers={"Retry-After": str(wait)},
    )


def submission(kind: str, submit: Submit, *, files: bool = False) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        service = service_of(request)
        if origin := foreign_origin(request, service.settings.allowed_origins):
            return error_response(request, 403, "forbidden_origin", f"不接受来自其他网站（{origin}）的提交")
        if refusal := await too_often(request, request.app.state.submission_limiter, "提交"):
            return refusal
        try:
            values, uploads = await read_payload(request, files=files)
        except BadRequest as bad:
            return error_response(request, bad.status, bad.code, bad.message)
        if str(values.get(forms.HONEYPOT, "")).strip():
            return error_response(
                request, 422, "validation_failed", "提交未通过检查", {forms.HONEYPOT: "此项应保持为空"}
            )
        try:
            receipt = await submit(service, values, uploads, channel_of(request))
        except Invalid as invalid:
            message = f"有 {len(invalid.problems)} 处需要修改，请一次改完后重新提交"
            if wants_html(request):
                return request.app.state.pages.form_errors(kind, values, invalid.problems, message)
            return error_response(request, 422, "validation_failed", message, invalid.problems)
        except Conflict as conflict:
            return error_response(request, 409, "conflict", conflict.message)
        except StoreUnavailable:
            return error_response(
                request, 503, "unavailable", "服务暂时无法保存您的提交，请稍后重试；本次提交未被受理"
            )
        SUBMISSIONS.labels(kind).inc()
        if wants_html(request):
            return request.app.state.pages.receipt(kind, receipt)
        return JSONResponse(receipt.as_dict(), status_code=201)

    return endpoint


NOT_FOUND = "找不到这个办件：请核对办件编号和查询码（均在回执上）"


async def with_code(request: Request, receipt_no: str, code: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
    """What ``fetch`` finds with the applicant's code (the record, or its public view), or the
    answer to give instead: 429 while this client looks too often, or while the receipt has had
    too many wrong codes (:data:`CODE_GUESSES` an hour, whoever sent them: a changing
    X-Forwarded-For does not help, and only the proxy on 127.0.0.1 is believed anyway); 404
    for a wrong code or an unknown receipt alike, so that receipts cannot be probed. The
    guess that uses up a receipt's allowance is written to the audit log for staff."""
    if refusal := await too_often(request, request.app.state.lookup_limiter, "查询"):
        return refusal
    guard, key = request.app.state.code_guard, receipt_no.strip().upper()
    if key and (wait := await guard.blocked(key)) is not None:
        minutes = max(1, (wait + 59) // 60)
        message = f"该编号的查询码输错次数过多，请 {minutes} 分钟后再试；如忘记查询码，请联系我们"
        return error_response(request, 429, "rate_limited", message, headers={"Retry-After": str(wait)})
    found = await fetch() if key and code else None
    if found is None:
        if key and code:
            await guard.retry_after(key)
            if await guard.blocked(key) is not None:
                await guessed(request, key)
        return error_response(request, 404, "not_found", NOT_FOUND)
    return found


async def guessed(request: Request, receipt_no: str) -> None:
    """A receipt's code guessed too often: in the audit log (when the receipt exists) and the log."""
    access.warning("lookup codes guessed", extra={"fields": {"receipt": receipt_no}})
    if await service_of(request).store.contains(receipt_no):
        details = {"wrong_codes": CODE_GUESSES[0], "within_seconds": CODE_GUESSES[1]}
        await request.app.state.casework.log_access(receipt_no, SYSTEM_ACTOR, "lookup_throttled", details)


async def lookup(request: Request) -> Response:
    service = service_of(request)
    receipt_no = request.path_params.get("receipt_no") or request.query_params.get("receipt_no", "")
    code = request.query_params.get("code", "")
    view = await with_code(request, receipt_no, code, lambda: service.lookup(receipt_no, code))
    if isinstance(view, Response):
        return view
    if wants_html(request):
        return request.app.state.pages.lookup(view, code)
    return JSONResponse(view, headers={"Cache-Control": "no-store"})


async def health(request: Request) -> Response:
    """Alive: the process answers. Nothing about the records (counts are for the console and
    the metrics, not for anyone on the network)."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def ready(request: Request) -> Response:
    """Ready to take submissions: the store would store one now (the database answers at
    this code's schema version). 503 with the reason otherwise, for a load balancer."""
    reason = await service_of(request).store.ready()
    if reason is None:
        return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "not_ready", "reason": reason}, 503, headers={"Cache-Control": "no-store"})


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def _consultation(service: Service, values: dict[str, Any], _: list[Upload], channel: str) -> Receipt:
    return await service.submit_consultation(values, channel)


async def _application(
    service: Service, values: dict[str, Any], files: list[Upload], channel: str
) -> Receipt:
    return await service.submit_application(values, files, channel)


async def _complaint(service: Service, values: dict[str, Any], _: list[Upload], channel: str) -> Receipt:
    return await service.submit_complaint(values, channel)


async def _rating(service: Service, values: dict[str, Any], _: list[Upload], channel: str) -> Receipt:
    return await service.submit_rating(values, channel)


ROUTES = [
    Route("/consultations", submission("consultation", _consultation), methods=["POST"]),
    Route("/applications", submission("application", _application, files=True), methods=["POST"]),
    Route("/ratings", submission("rating", _rating), methods=["POST"]),
    Route("/complaints", submission("complaint", _complaint), methods=["POST"]),
    Route("/lookup", lookup, methods=["GET"]),
    Route("/lookup/{receipt_no}", lookup, methods=["GET"]),
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]
