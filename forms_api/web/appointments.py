"""预约办理 over HTTP (E.4.5), under ``/api``:

- ``GET /api/appointments/slots?item=<slug or implementation code>``: the points the item can be
  booked at, each with its bookable slots and the places left;
- ``POST /api/appointments`` (``item_code``, ``point``, ``slot``, ``name``, ``id_number``,
  ``phone``): a booking; 201 with the receipt (number, lookup code, the slot), 409 when the slot
  is full or the person already holds a booking for the item;
- ``POST /api/appointments/cancel`` (``receipt_no``, ``code``) and
  ``POST /api/appointments/move`` (the same and a new ``slot``): with the receipt's code.

Same conventions as the other forms: JSON or form posts, every problem by field in Chinese,
rate limits (booking counts as a submission, cancelling and moving as a lookup).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from forms_api.domain.appointments import Appointments
from forms_api.domain.errors import Conflict, Invalid
from forms_api.metrics import SUBMISSIONS
from forms_api.storage.embedded.store import StoreUnavailable
from generator import forms
from generator.site import urls

from .limits import foreign_origin
from .responses import error_response, wants_html
from .routes import BadRequest, channel_of, guessed, read_payload, service_of, too_often, with_code


def appointments_of(request: Request) -> Appointments:
    return request.app.state.appointments


async def slots(request: Request) -> Response:
    booking = appointments_of(request)
    wanted = request.query_params.get("item", "")
    found = next(
        ((s, i) for s, i in booking.bookable_items().items() if wanted in (s, i.implementation_code)), None
    )
    if found is None:
        return error_response(request, 404, "not_found", "没有这个可预约的事项")
    slug, item = found
    points = [
        {"id": p.id, "name": p.name, "address": p.address, "slots": await booking.availability(p)}
        for p in booking.points_of(slug)
    ]
    return JSONResponse(
        {"item": {"slug": slug, "code": item.implementation_code, "name": item.name}, "points": points}
    )


async def booking_page(request: Request) -> Response:
    """The booking form (``GET /appointments/?item=…&point=…``), for browsers with or without
    JavaScript: the slots are radio buttons. Without ``item``: the site's own page, the list of
    the items that can be booked."""
    if not request.query_params.get("item"):
        index = Path(service_of(request).settings.site_dir) / urls.APPOINTMENTS / "index.html"
        return FileResponse(index, media_type="text/html")
    return await _booking_form(request, dict(request.query_params), {}, "", 200)


async def _booking_form(
    request: Request, values: dict[str, Any], errors: dict[str, str], summary: str, status: int
) -> Response:
    booking = appointments_of(request)
    wanted = str(values.get("item") or values.get("item_code") or "")
    found = next(
        ((s, i) for s, i in booking.bookable_items().items() if wanted in (s, i.implementation_code)), None
    )
    pages = request.app.state.pages
    if found is None:
        return pages.message("无法预约", "没有这个可预约的事项：请从办事指南的“预约办理”进入", 404)
    slug, item = found
    points = booking.points_of(slug)
    point = next((p for p in points if p.id == values.get("point")), points[0])
    context = {
        "slug": slug,
        "item": item,
        "points": points,
        "point": point,
        "days": await _days(booking, point),
        "values": values,
        "errors": errors,
        "summary": summary,
    }
    response = pages.page(f"预约办理：{item.name}", "forms/appointment.html", context, status)
    response.headers["Cache-Control"] = "no-store"  # places left change by the minute
    return response


async def _days(booking: Appointments, point: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    """The point's bookable slots grouped by day: [(``12月8日（周二）``, slots)]."""
    days: dict[str, list[dict[str, Any]]] = {}
    for slot in await booking.availability(point):
        days.setdefault(slot["label"][: -len("09:00—09:30")], []).append(slot)
    return list(days.items())


async def manage_page(request: Request) -> Response:
    """取消或改约 without JavaScript (``GET /appointments/manage?receipt_no=…&code=…``): the
    booking and, while it stands, the forms to move it or cancel it. Wrong codes count against
    the booking as for a lookup; without a number and code, the form asking for them."""
    booking, pages = appointments_of(request), request.app.state.pages
    receipt_no = request.query_params.get("receipt_no", "").strip().upper()
    code = request.query_params.get("code", "").strip()
    context: dict[str, Any] = {"record": None, "code": "", "days": [], "errors": {}, "summary": ""}
    if receipt_no or code:
        found = await with_code(request, receipt_no, code, lambda: booking.find_own(receipt_no, code))
        if isinstance(found, Response):
            return found
        point = booking.catalog.points.get(found["point"])
        days = await _days(booking, point) if point is not None and found["status"] == "已预约" else []
        context |= {"record": found, "code": code, "days": days}
    response = pages.page("取消或改约", "forms/appointment-manage.html", context)
    response.headers["Cache-Control"] = "no-store"  # the page carries the code in its forms
    return response


Action = Callable[[Appointments, dict[str, Any], str], Awaitable[Any]]


def endpoint(
    kind: str, action: Action, *, limiter: str, created: bool, state: str = "appointments"
) -> Callable[[Request], Awaitable[Response]]:
    """A POST of the booking kind (``appointment``, ``appointment_cancel``, …; the lecture
    registrations use it too): origin check, rate limit, the payload, the honeypot, the
    per-receipt guard on codes, and the answer as JSON or a page. ``action`` gets the
    application's ``state`` object (:class:`Appointments`, :class:`Registrations`)."""

    async def handle(request: Request) -> Response:
        service = service_of(request)
        if origin := foreign_origin(request, service.settings.allowed_origins):
            return error_response(request, 403, "forbidden_origin", f"不接受来自其他网站（{origin}）的提交")
        if refusal := await too_often(
            request, getattr(request.app.state, limiter), "提交" if created else "查询"
        ):
            return refusal
        try:
            values, _ = await read_payload(request)
        except BadRequest as bad:
            return error_response(request, bad.status, bad.code, bad.message)
        if str(values.get(forms.HONEYPOT, "")).strip():
            return error_response(
                request, 422, "validation_failed", "提交未通过检查", {forms.HONEYPOT: "此项应保持为空"}
            )
        guarded = (
            ""
            if kind in ("appointment", "registration")
            else str(values.get("receipt_no", "")).strip().upper()
        )
        guard = request.app.state.code_guard
        if guarded and (wait := await guard.blocked(guarded)) is not None:
            message = f"该编号的查询码输错次数过多，请 {max(1, (wait + 59) // 60)} 分钟后再试；如忘记查询码，请联系我们"
            return error_response(request, 429, "rate_limited", message, headers={"Retry-After": str(wait)})
        try:
            answer = await action(getattr(request.app.state, state), values, channel_of(request))
        except Invalid as invalid:
            if guarded and "receipt_no" in invalid.problems:  # a wrong code counts against the receipt
                await guard.retry_after(guarded)
                if await guard.blocked(guarded) is not None:
                    await guessed(request, guarded)
            message = f"有 {len(invalid.problems)} 处需要修改，请一次改完后重新提交"
            if kind == "appointment" and wants_html(request):
                return await _booking_form(request, values, invalid.problems, message, 422)
            return error_response(request, 422, "validation_failed", message, invalid.problems)
        except Conflict as conflict:
            if kind == "appointment" and wants_html(request):
                field = "id_number" if "一个有效预约" in conflict.message else "slot"
                return await _booking_form(request, values, {field: conflict.message}, conflict.message, 409)
            return error_response(request, 409, "conflict", conflict.message)
        except StoreUnavailable:
            return error_response(
                request, 503, "unavailable", "服务暂时无法保存，请稍后重试；本次提交未被受理"
            )
        body = answer.as_dict() if hasattr(answer, "as_dict") else answer
        if created:
            SUBMISSIONS.labels(kind).inc()
        if wants_html(request):
            return _page(request, kind, body, 201 if created else 200)
        return JSONResponse(body, status_code=201 if created else 200)

    return handle


def _page(request: Request, kind: str, body: dict[str, Any], status: int) -> Response:
    pages = request.app.state.pages
    if body.get("status") == "已取消":
        noun = "报名" if kind.startswith("registration") else "预约"
        return pages.message(f"{noun}已取消", f"{noun} {body['receipt_no']} 已取消。", status)
    if kind == "registration":
        queue = (
            f"名额已满，您在候补第 {body['waitlist']} 位，有人取消时按顺序递补并短信通知。"
            if body.get("waitlist")
            else "报名成功。"
        )
        text = f"“{body['event']}”{queue}报名编号 {body['receipt_no']}，查询码 {body['lookup_code']}（取消报名时要用，只显示这一次）。"
        return pages.message("已候补" if body.get("waitlist") else "报名成功", text, status)
    title = "预约已改约" if kind == "appointment_move" else "预约成功"
    text = (
        f"您已预约 {body['slot_label']} 在{body['point']}办理“{body['item']}”。预约编号 {body['receipt_no']}，"
        f"查询码 {body['lookup_code']}（取消或改约时要用，只显示这一次）。请按时携带身份证和材料前往。"
    )
    return pages.message(title, text, status)


async def _book(booking: Appointments, values: dict[str, Any], channel: str) -> Any:
    return await booking.book(values, channel)


async def _cancel(booking: Appointments, values: dict[str, Any], _: str) -> Any:
    return await booking.cancel(values)


async def _move(booking: Appointments, values: dict[str, Any], _: str) -> Any:
    return await booking.move(values)


ROUTES = [
    Route("/appointments/slots", slots, methods=["GET"]),
    Route(
        "/appointments",
        endpoint("appointment", _book, limiter="submission_limiter", created=True),
        methods=["POST"],
    ),
    Route(
        "/appointments/cancel",
        endpoint("appointment_cancel", _cancel, limiter="lookup_limiter", created=False),
        methods=["POST"],
    ),
    Route(
        "/appointments/move",
        endpoint("appointment_move", _move, limiter="lookup_limiter", created=True),
        methods=["POST"],
    ),
]
