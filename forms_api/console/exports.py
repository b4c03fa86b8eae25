"""导出: supervisors and administrators download lists of submissions as CSV or XLSX.

The page (GET) offers the list (applications or consultations), the format and the
submission dates; the download is a POST with the session's CSRF token, because it is
logged: every export lands in the audit log with its count and whether personal data was
written whole. Only administrators may ask for that (:data:`REVEAL_ROLES`); everyone else
gets the masked list.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from forms_api.domain import exports
from forms_api.domain.queues import Search
from forms_api.domain.staff.roles import ADMIN
from forms_api.domain.submissions import now
from forms_api.storage.query import Query

from .access import EXPORT_ROLES, Staff, bar_context, page

REVEAL_ROLES = (ADMIN.id,)
FORMATS = ("xlsx", "csv")


def _context(staff: Staff, request: Request, errors: dict[str, str], values: dict[str, str]) -> dict:
    return {
        **bar_context(staff, request.app.state.service.catalog),
        "kinds": exports.TITLES,
        "formats": FORMATS,
        "may_reveal": staff.user.role.id in REVEAL_ROLES,
        "errors": errors,
        "values": values,
    }


@page(*EXPORT_ROLES)
async def export_page(request: Request, staff: Staff) -> Response:
    context = _context(staff, request, {}, {"kind": "application", "format": "xlsx"})
    return request.app.state.pages.page("导出办件清单", "staff/export.html", context)


@page(*EXPORT_ROLES)
async def download(request: Request, staff: Staff) -> Response:
    assert staff.form is not None
    values = {
        name: str(staff.form.get(name) or "") for name in ("kind", "format", "since", "until", "reveal")
    }
    search, errors = Search.parse(values)
    if values["kind"] not in exports.TITLES:
        errors["kind"] = "请选择要导出的清单"
    if values["format"] not in FORMATS:
        errors["format"] = "请选择文件格式"
    reveal = values["reveal"] == "yes"
    if reveal and staff.user.role.id not in REVEAL_ROLES:
        errors["reveal"] = "只有管理员可以导出完整个人信息"
    if errors:
        context = _context(staff, request, errors, values)
        return request.app.state.pages.page("导出办件清单", "staff/export.html", context, 422)
    service = request.app.state.service
    kind, fmt = values["kind"], values["format"]
    records = service.store.snapshot(search.narrow(Query(kind), {}))
    today = now().date()
    table = exports.rows(
        kind,
        records,
        reveal=service.vault.decrypt if reveal else None,
        departments={d.id: d.name for d in service.catalog.departments.values()},
        today=today,
    )
    data = exports.to_xlsx(kind, table) if fmt == "xlsx" else exports.to_csv(kind, table)
    details = {"kind": kind, "format": fmt, "rows": len(table), "revealed": reveal}
    details |= {k: values[k] for k in ("since", "until") if values[k]}
    await request.app.state.casework.log_access(None, staff.actor, "export", details)
    name = exports.filename(kind, fmt, today)
    return Response(
        data,
        media_type=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
