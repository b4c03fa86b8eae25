"""改进措施 in the console: the list, the form of a new measure, one measure and its changes.

Supervisors and administrators record and update the measures; auditors read them (no form,
and their posts are refused by the role check); other roles may not open the pages. The work
is done by :class:`forms_api.domain.measures.Measures`:

- saved: to the measure's page (303), with what was done named;
- what was entered is incomplete or wrong: the form again (422), every problem at its field;
- the measure changed since the form was drawn: 409, look again; the store could not write:
  503; nothing is stored in either case.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forms_api.domain.casework import NotFound
from forms_api.domain.errors import Invalid
from forms_api.domain.measures import DONE, SOURCES, STATUSES, Measures, Stale, overdue, values_of
from forms_api.domain.receipts import kind_of
from forms_api.domain.submissions import now
from forms_api.domain.workflow.rules import GRAPHS
from forms_api.storage.embedded.store import StoreUnavailable

from .access import MEASURE_READERS, MEASURE_ROLES, Staff, bar_context, page
from .display import cursors, local_time, pager

PAGE = 100
NEW_TITLE = "登记改进措施"
DONE_MESSAGES = {
    "created": "改进措施已登记",
    "updated": "改进措施已更新",
    "unchanged": "内容没有变化，未保存",
}


def _measures(request: Request) -> Measures:
    return request.app.state.measures


def _context(request: Request, staff: Staff, **extra: Any) -> dict[str, Any]:
    measures = _measures(request)
    catalog = measures.service.catalog
    return {
        **bar_context(staff, catalog),
        "form": measures.form,
        "may_edit": staff.user.role.id in MEASURE_ROLES,
        "departments": {d.id: d.name for d in catalog.departments.values()},
        "sources": dict(zip(SOURCES, measures.form.field("source").option_labels, strict=True)),
        "local": local_time,
        "today": now().date(),
        "overdue": overdue,
        "done_status": DONE,
        "values": {},
        "errors": {},
        "done": None,
        "source_href": None,
        **extra,
    }


def _raw(form: FormData | None) -> dict[str, Any]:
    """The measure's fields as posted (the 公开 checkbox may come as a list)."""
    assert form is not None
    return {name: form.getlist(name) if name == "public" else form.get(name) for name in form}


def _problem(request: Request, title: str, message: str, status: int, back: str) -> Response:
    context = {"title": title, "message": message, "back": back, "back_label": "返回改进措施"}
    return request.app.state.pages.page(title, "staff/refused.html", context, status)


UNSAVED = ("暂时无法保存", "服务暂时无法保存，请稍后重试；本次修改未生效", 503)


# --- the list ---------------------------------------------------------------------------------


@page(*MEASURE_READERS)
async def measure_list(request: Request, staff: Staff) -> Response:
    measures = _measures(request)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES else ""
    found = await measures.page(status, PAGE, **cursors(request.query_params))
    context = _context(
        request,
        staff,
        rows=found.rows,
        status=status,
        statuses=STATUSES,
        counts=await measures.counts(),
        **pager({**request.query_params, "status": status}, found),
    )
    return request.app.state.pages.page("改进措施", "staff/measures.html", context)


# --- a new measure ----------------------------------------------------------------------------


@page(*MEASURE_ROLES)
async def new_form(request: Request, staff: Staff) -> Response:
    query = request.query_params
    values = await _measures(request).prefill(query.get("source", ""), query.get("source_no", ""))
    context = _context(request, staff, measure=None, values=values)
    return request.app.state.pages.page(NEW_TITLE, "staff/measure.html", context)


@page(*MEASURE_ROLES)
async def create(request: Request, staff: Staff) -> Response:
    raw = _raw(staff.form)
    try:
        record = await _measures(request).create(raw, staff.actor)
    except Invalid as invalid:
        context = _context(request, staff, measure=None, values=raw, errors=invalid.problems)
        return request.app.state.pages.page(NEW_TITLE, "staff/measure.html", context, 422)
    except StoreUnavailable:
        return _problem(request, *UNSAVED, "/staff/measures")
    return RedirectResponse(f"/staff/measures/{quote(record['measure_no'])}?done=created", 303)


# --- one measure ------------------------------------------------------------------------------


def _render(
    request: Request,
    staff: Staff,
    record: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = _context(
        request,
        staff,
        measure=record,
        values=values if values is not None else values_of(record),
        errors=errors or {},
        done=DONE_MESSAGES.get(request.query_params.get("done", "")),
        source_href=_record_href(record.get("source_no", "")),
    )
    return request.app.state.pages.page(
        f"改进措施 {record['measure_no']}", "staff/measure.html", context, status
    )


def _record_href(number: str) -> str | None:
    """The console page of the record a measure comes from (a rating has none of its own)."""
    return f"/staff/records/{quote(number)}" if kind_of(number) in GRAPHS else None


async def _found(request: Request) -> dict[str, Any] | Response:
    number = request.path_params["measure_no"]
    try:
        return await _measures(request).get(number)
    except NotFound:
        return request.app.state.pages.message("未找到", f"没有编号为 {number} 的改进措施", 404)


@page(*MEASURE_READERS)
async def measure_page(request: Request, staff: Staff) -> Response:
    record = await _found(request)
    if isinstance(record, Response):
        return record
    return _render(request, staff, record)


@page(*MEASURE_ROLES)
async def update(request: Request, staff: Staff) -> Response:
    record = await _found(request)
    if isinstance(record, Response):
        return record
    number = record["measure_no"]
    back = f"/staff/measures/{quote(number)}"
    assert staff.form is not None
    try:
        revision = int(str(staff.form.get("revision", "")))
    except ValueError:
        return _problem(request, "无法处理", "表单缺少版本信息，请刷新页面后重试", 400, back)
    raw = _raw(staff.form)
    try:
        updated = await _measures(request).update(number, raw, staff.actor, revision=revision)
    except Stale as stale:
        return _problem(request, "未能保存", stale.message, 409, back)
    except Invalid as invalid:
        return _render(request, staff, record, values=raw, errors=invalid.problems, status=422)
    except StoreUnavailable:
        return _problem(request, *UNSAVED, back)
    return RedirectResponse(f"{back}?done={'updated' if updated else 'unchanged'}", 303)


ROUTES = [
    Route("/measures", measure_list, methods=["GET"]),
    Route("/measures", create, methods=["POST"]),
    Route("/measures/new", new_form, methods=["GET"]),
    Route("/measures/{measure_no}", measure_page, methods=["GET"]),
    Route("/measures/{measure_no}", update, methods=["POST"]),
]
"""``/measures/new`` comes before ``/measures/{measure_no}`` so that it is not taken for a number."""
