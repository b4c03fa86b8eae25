"""培训讲座: each event's registrations, and the sign-in sheet (签到表) to print or open in a
spreadsheet. For window staff, supervisors and administrators; downloading a sheet names
people, so it is written to the audit log."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms_api.domain.exports import defuse
from forms_api.domain.registrations import REGISTERED, WAITLISTED

from .access import APPOINTMENT_ROLES, Staff, bar_context, page

SIGN_IN_COLUMNS = ("序号", "姓名", "单位", "手机号码", "报名编号", "签到")


@page(*APPOINTMENT_ROLES)
async def events_page(request: Request, staff: Staff) -> Response:
    registrations = request.app.state.registrations
    rows = [(event, await registrations.counts(event)) for event in registrations.catalog.events]
    context = {**bar_context(staff, registrations.catalog), "rows": rows}
    return request.app.state.pages.page("培训讲座报名", "staff/events.html", context)


@page(*APPOINTMENT_ROLES)
async def sign_in_sheet(request: Request, staff: Staff) -> Response:
    registrations = request.app.state.registrations
    event = registrations.event(request.path_params["event_id"])
    if event is None:
        return request.app.state.pages.message("没有这个活动", "请从培训讲座报名列表进入", 404)
    registered = await registrations.of_event(event.id, REGISTERED)
    waiting = sorted(await registrations.of_event(event.id, WAITLISTED), key=lambda r: r["waitlist"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{event.title} 签到表", f"{event.date} {event.time.start}—{event.time.end}"])
    writer.writerow(SIGN_IN_COLUMNS)
    for n, record in enumerate(registered, start=1):
        writer.writerow(_row(str(n), record))
    if waiting:
        writer.writerow([])
        writer.writerow(["候补", *SIGN_IN_COLUMNS[1:]])
        for record in waiting:
            writer.writerow(_row(f"候补{record['waitlist']}", record))
    details = {"event": event.id, "rows": len(registered) + len(waiting)}
    await request.app.state.casework.log_access(event.id, staff.actor, "sign_in_sheet", details)
    filename = f"sign-in-{event.id}.csv"
    return Response(
        buffer.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _row(number: str, record: dict[str, Any]) -> list[str]:
    """A line of the sheet: the person, the masked phone, an empty box to sign (formulas defused)."""
    cells = (
        number,
        record["name"],
        record.get("organisation", ""),
        record.get("phone_masked", ""),
        record["receipt_no"],
        "",
    )
    return [defuse(cell) for cell in cells]


ROUTES = [
    Route("/events", events_page, methods=["GET"]),
    Route("/events/{event_id}/sign-in.csv", sign_in_sheet, methods=["GET"]),
]
