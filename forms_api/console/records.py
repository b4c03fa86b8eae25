"""One record in the console: its page, the actions on it, revealing personal data, materials.

The page shows what the record holds (personal data masked), its timeline with who did what,
the notices sent, and one form for each action the member of staff may take now
(``workflow.allowed_actions``). Each form carries the session's CSRF token and the record's
``revision``; posting it goes through :meth:`forms_api.domain.casework.Casework.act`:

- done: back to the page (303), with the action named; the applicant's notice is sent after
  the answer, and its attempts are recorded on the record;
- what was entered is incomplete: the page again (422), every problem listed at the form;
- not possible (state, role, department, moment): 409 with the reason, or 403 when the role
  may never take the action; the record changed meanwhile: 409, look again.

Revealing personal data (name, ID, phone, e-mail in full) is a POST of its own, answered with
the page unmasked once, and logged in the audit log; so is every download of a material.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forms_api.delivery import notices
from forms_api.delivery.notifier import CHANNEL_NAMES
from forms_api.domain import measures, workflow
from forms_api.domain.casework import Casework, NotFound, Stale
from forms_api.domain.errors import Invalid
from forms_api.domain.masking import mask_email, mask_name
from forms_api.domain.queues import departments_of, item_departments, visible
from forms_api.domain.staff.roles import ACCEPTOR, ADMIN, HANDLER, SUPERVISOR
from forms_api.domain.submissions import Service, Upload, correction_list, now
from forms_api.domain.workflow import deadlines
from forms_api.domain.workflow.rules import ACTION_LABELS, KIND_LABELS, PERMISSIONS, ROLE_LABELS
from forms_api.storage.embedded.store import StoreUnavailable
from forms_api.web.responses import stored_file
from generator.schema.tables import SATISFACTION_LEVELS

from . import action_forms
from .access import MEASURE_ROLES, RETRY_ROLES, Staff, bar_context, page
from .display import local_time

REVEAL_ROLES = (ADMIN.id, ACCEPTOR.id, HANDLER.id, SUPERVISOR.id)
"""Who may see an applicant's personal data in full (each time logged); not the auditor."""

DONE = {
    "retry": "已重新排入队列，稍后发送",
    "accept": "已受理",
    "request_correction": "已发出补正通知",
    "refuse": "已作出不予受理决定",
    "progress": "已记录办理进度",
    "complete": "已办结",
    "accept_and_complete": "已受理并办结",
    "explain_overdue": "已记录超期原因",
    "remind": "已催告",
    "assign": "已分派",
    "reply": "已答复",
    "mark_faq": "已列入常见问题候选",
    "record_visit": "已记录回访",
    "close_case": "差评已办结",
    "answer": "已答复",
}


def _casework(request: Request) -> Casework:
    return request.app.state.casework


async def _found(request: Request, staff: Staff) -> dict[str, Any] | Response:
    """The record of the path, or the answer when it is unknown or not the staff member's."""
    casework = _casework(request)
    receipt_no = request.path_params["receipt_no"]
    try:
        record = await casework.record(receipt_no)
    except NotFound:
        return request.app.state.pages.message("未找到", f"没有编号为 {receipt_no} 的办件", 404)
    if not visible(staff.user, departments_of(record, item_departments(casework.service))):
        return request.app.state.pages.message("无权查看", "该办件不属于您所在部门办理，无权查看", 403)
    return record


# --- the page ---------------------------------------------------------------------------------


async def _render(
    request: Request,
    staff: Staff,
    record: dict[str, Any],
    *,
    status: int = 200,
    revealed: bool = False,
    action: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    casework = _casework(request)
    service = casework.service
    today = now().date()
    item = casework.rules(record)
    actions = []
    if not staff.user.role.read_only and (record["kind"] != "application" or item is not None):
        actions = workflow.allowed_actions(record, staff.actor, today, item)
    found = service.items_by_code.get((record.get("item") or {}).get("code", ""))
    departments = {d.id: d.name for d in service.catalog.departments.values()}
    deadline = deadlines.deadline_state(record, today)
    context = {
        **bar_context(staff, service.catalog),
        "record": record,
        "person": _person(service, record, revealed),
        "revealed": revealed,
        "may_reveal": staff.user.role.id in REVEAL_ROLES,
        "item": found[1] if found else None,
        "slug": found[0] if found else None,
        "deadline": deadline,
        "deadline_label": deadlines.DEADLINE_LABELS[deadline.state],
        "needs_overdue_reason": deadlines.needs_overdue_reason(record, today),
        "actions": actions,
        "fields": {
            a: _fields(a, departments, deadlines.needs_overdue_reason(record, today)) for a in actions
        },
        "labels": ACTION_LABELS,
        "role_labels": ROLE_LABELS,
        "departments": departments,
        "correction": correction_list(record) if record.get("corrections") else [],
        "failed": action,
        "values": values or {},
        "errors": errors or {},
        "done": DONE.get(request.query_params.get("done", "")),
        "local": local_time,
        "mask_email": mask_email,
        "notice_events": notices.EVENTS,
        "notice_jobs": [
            job for job in await service.store.jobs_of(record["receipt_no"]) if job.task == "notice"
        ],
        "may_retry": staff.user.role.id in RETRY_ROLES,
        "channel_names": CHANNEL_NAMES,
        "kind_label": KIND_LABELS[record["kind"]],
        "level_names": SATISFACTION_LEVELS.entries,
        "measure_link": measures.new_link(record) if staff.user.role.id in MEASURE_ROLES else None,
    }
    title = f"办件 {record['receipt_no']}"
    return request.app.state.pages.page(title, "staff/record.html", context, status)


def _fields(action: str, departments: dict[str, str], overdue: bool) -> tuple[Any, ...]:
    if action == "assign":
        return (action_forms.assign_field(departments),)
    fields = action_forms.FIELDS[action]
    return (*fields, action_forms.OVERDUE_REASON) if action == "complete" and overdue else fields


def _person(service: Service, record: dict[str, Any], revealed: bool) -> dict[str, str]:
    """The applicant's (or the consultation's author's) personal data, masked unless revealed."""
    source = record.get("applicant") or record
    shown: dict[str, str] = {"name": source.get("name", "")}
    if not revealed:
        shown["name"] = mask_name(shown["name"])
        shown["phone"] = source.get("phone_masked", "")
        shown["id_number"] = source.get("id_number_masked", "")
        shown["email"] = mask_email(source.get("email", ""))
    else:
        shown["phone"] = service.vault.decrypt(source["phone_enc"]) if source.get("phone_enc") else ""
        shown["id_number"] = (
            service.vault.decrypt(source["id_number_enc"]) if source.get("id_number_enc") else ""
        )
        shown["email"] = source.get("email", "")
    shown["credit_code"] = source.get("credit_code", "")
    shown["type"] = source.get("type", "")
    return shown


@page()
async def record_page(request: Request, staff: Staff) -> Response:
    record = await _found(request, staff)
    if isinstance(record, Response):
        return record
    return await _render(request, staff, record)


@page(*REVEAL_ROLES)
async def reveal(request: Request, staff: Staff) -> Response:
    record = await _found(request, staff)
    if isinstance(record, Response):
        return record
    reason = str(staff.form.get("reason", "") if staff.form else "").strip()[:200]
    await _casework(request).log_access(record["receipt_no"], staff.actor, "reveal", {"reason": reason})
    return await _render(request, staff, record, revealed=True)


@page(*REVEAL_ROLES)
async def material(request: Request, staff: Staff) -> Response:
    record = await _found(request, staff)
    if isinstance(record, Response):
        return record
    index = request.path_params["index"]
    files = record.get("materials", [])
    result = (record.get("result") or {}).get("file")
    if index == "result" and result:
        entry, what = result, "result_file"
    elif index.isdigit() and int(index) < len(files):
        entry, what = files[int(index)], "material"
    else:
        return request.app.state.pages.message("未找到", "该办件没有这份材料", 404)
    await _casework(request).log_access(
        record["receipt_no"],
        staff.actor,
        what,
        {"name": entry.get("name", "结果文书"), "file": entry["file_name"]},
    )
    filename = entry["file_name"] or f"{record['receipt_no']}-{index}.{entry['type']}"
    return stored_file(_casework(request).service.blobs, entry, filename)


# --- actions ----------------------------------------------------------------------------------


def payload_of(form: FormData) -> dict[str, Any]:
    """What an action form entered: its text fields and the materials ticked, each with its note."""
    values: dict[str, Any] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            continue
        if name not in ("csrf", "revision", "materials") and not name.startswith("material_note:"):
            values[name] = value
    ticked = [str(m) for m in form.getlist("materials")]
    if ticked:
        values["materials"] = [{"id": m, "note": str(form.get(f"material_note:{m}") or "")} for m in ticked]
    return values


async def _files(form: FormData) -> list[Upload]:
    found = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            if value.filename or data:
                found.append(Upload(name, value.filename or "", data))
    return found


@page(*sorted({role for roles in PERMISSIONS.values() for role in roles} - {"applicant", "system"}))
async def act(request: Request, staff: Staff) -> Response:
    record = await _found(request, staff)
    if isinstance(record, Response):
        return record
    action = request.path_params["action"]
    pages = request.app.state.pages
    if action not in PERMISSIONS:
        return pages.message("未找到", f"没有“{action}”这项操作", 404)
    if staff.user.role.id not in PERMISSIONS[action]:
        role = ROLE_LABELS.get(staff.user.role.id, staff.user.role.label)
        return pages.message("无权操作", f"{role}无权进行“{ACTION_LABELS[action]}”操作", 403)
    assert staff.form is not None
    values = payload_of(staff.form)
    files = await _files(staff.form)
    try:
        revision = int(str(staff.form.get("revision", "")))
    except ValueError:
        return pages.message("无法处理", "表单缺少办件版本信息，请刷新页面后重试", 400)
    casework = _casework(request)
    try:
        done = await casework.act(
            record["receipt_no"], action, staff.actor, values, revision=revision, files=files
        )
    except (workflow.Refused, Stale) as refused:
        return _back(request, "未能办理", refused.message, 409, record["receipt_no"])
    except Invalid as invalid:
        return await _render(
            request, staff, record, status=422, action=action, values=values, errors=invalid.problems
        )
    except StoreUnavailable:
        return _back(
            request,
            "暂时无法保存",
            "服务暂时无法保存这次操作，请稍后重试；本次操作未生效",
            503,
            record["receipt_no"],
        )
    if done.notices and request.app.state.runs_jobs:
        request.app.state.runner.wake()  # the notices were queued with the action; this process sends them now
    return RedirectResponse(f"/staff/records/{quote(record['receipt_no'])}?done={action}", 303)


def _back(request: Request, title: str, message: str, status: int, receipt_no: str) -> Response:
    return request.app.state.pages.page(
        title,
        "staff/refused.html",
        {"title": title, "message": message, "receipt_no": receipt_no},
        status,
    )


ROUTES = [
    Route("/records/{receipt_no}", record_page, methods=["GET"]),
    Route("/records/{receipt_no}/reveal", reveal, methods=["POST"]),
    Route("/records/{receipt_no}/files/{index}", material, methods=["GET"]),
    Route("/records/{receipt_no}/actions/{action}", act, methods=["POST"]),
]
