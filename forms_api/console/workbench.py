"""工作台: the work queues, the search, and one page of rows, personal data masked."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from forms_api.domain.masking import mask_name
from forms_api.domain.queues import DEFAULT, PAGE, QUEUES, Search, items_by_department, scope
from forms_api.domain.submissions import Service, now
from forms_api.domain.workflow import deadlines

from .access import Staff, bar_context, page
from .display import cursors, local_time, pager


@page()
async def home(request: Request, staff: Staff) -> Response:
    service: Service = request.app.state.service
    today = now().date()
    name = request.query_params.get("queue", DEFAULT)
    queue = QUEUES.get(name) or QUEUES[DEFAULT]
    search, problems = Search.parse(request.query_params)
    items_of = items_by_department(service)
    shown = scope(queue.query(today), staff.user, items_of)
    if not problems:
        shown = search.narrow(shown, items_of)
    found = await service.store.find(shown, PAGE, **cursors(request.query_params))
    counts = await service.store.tally(
        {
            other.name: scope(other.query(today), staff.user, items_of)
            for other in QUEUES.values()
            if other.counted
        }
    )
    catalog = service.catalog
    context = {
        **bar_context(staff, catalog),
        "queues": list(QUEUES.values()),
        "queue": queue,
        "counts": counts,
        "search": search,
        "values": dict(request.query_params),
        "errors": problems,
        "rows": [_row(service, record, today) for record in found.rows],
        **pager(request.query_params, found),
        "items": sorted(
            ((item.implementation_code, item.name) for _, item in service.items_by_code.values()),
            key=lambda pair: pair[1],
        ),
        "departments": [(d.id, d.name) for d in catalog.departments.values()],
        "login_notice": staff.session.notice,
    }
    return request.app.state.pages.page("工作台", "staff/home.html", context)


def _name(catalog: Any, department: str) -> str:
    found = catalog.departments.get(department)
    return found.name if found else department


def _row(service: Service, record: dict[str, Any], today: Any) -> dict[str, Any]:
    person = record.get("applicant") or record
    deadline = deadlines.deadline_state(record, today)
    due = (
        record.get("due_date")
        if record["kind"] in ("application", "case", "visit")
        else record.get("reply_due")
    )
    return {
        "receipt_no": record["receipt_no"],
        "kind": record["kind"],
        "item": (record.get("item") or {}).get("name", ""),
        "subject": record.get("subject")
        or record.get("comment")
        or (f"回访办件 {record['visited_receipt']}" if record.get("visited_receipt") else ""),
        "type": record.get("type", ""),
        "level": record.get("level", ""),
        "name": mask_name(person.get("name", "")),
        "id": person.get("id_number_masked") or person.get("credit_code", ""),
        "phone": person.get("phone_masked", ""),
        "submitted": local_time(record["submitted_at"]),
        "status": record["status"],
        "due_date": due,
        "deadline": deadline.state,
        "deadline_label": deadlines.DEADLINE_LABELS[deadline.state],
        "overdue_days": deadline.overdue_days,
        "reminded": bool(record.get("reminders")) and deadline.state == deadlines.OVERDUE,
        "department": _name(service.catalog, record["department"]) if record.get("department") else "",
    }
