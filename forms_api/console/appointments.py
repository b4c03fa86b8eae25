"""预约名单: the day's window appointments per service point, and marking 已到 / 未到.

Window staff (受理人员), supervisors and administrators see, for a point and a day (today by
default), every booking in slot order with its status, the person's name and masked ID
number, and mark each one 已到 or 未到 (a booking still 已预约 only; a wrong mark can be set
right). Marking ends the person's turn for the item (they may book it again).
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forms_api.domain.appointments import ARRIVED, BOOKED, MISSED
from forms_api.domain.errors import Conflict, Invalid
from generator import workdays

from .access import APPOINTMENT_ROLES, Staff, bar_context, page


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return workdays.today()


@page(*APPOINTMENT_ROLES)
async def day_list(request: Request, staff: Staff) -> Response:
    booking = request.app.state.appointments
    points = [p for p in booking.catalog.points.values() if p.appointments is not None]
    chosen = next(
        (p for p in points if p.id == request.query_params.get("point")), points[0] if points else None
    )
    day = _day(request.query_params.get("day"))
    rows = await booking.day_list(chosen.id, day) if chosen else []
    context = {
        **bar_context(staff, booking.catalog),
        "points": points,
        "point": chosen,
        "day": day,
        "days": [day - dt.timedelta(days=1), day + dt.timedelta(days=1)],
        "rows": rows,
        "states": {"booked": BOOKED, "arrived": ARRIVED, "missed": MISSED},
        "done": request.query_params.get("done", ""),
    }
    return request.app.state.pages.page("预约名单", "staff/appointments.html", context)


@page(*APPOINTMENT_ROLES)
async def mark(request: Request, staff: Staff) -> Response:
    assert staff.form is not None
    receipt_no = request.path_params["receipt_no"]
    arrived = staff.form.get("arrived") == "1"
    try:
        record = await request.app.state.appointments.mark(receipt_no, arrived, staff.user.name)
    except (Invalid, Conflict) as refused:
        text = refused.message if isinstance(refused, Conflict) else "；".join(refused.problems.values())
        return request.app.state.pages.message("无法标记", text, 409)
    return RedirectResponse(
        f"/staff/appointments?point={record['point']}&day={record['day']}&done={receipt_no}", 303
    )


ROUTES = [
    Route("/appointments", day_list, methods=["GET"]),
    Route("/appointments/{receipt_no}/mark", mark, methods=["POST"]),
]
