"""导出: supervisors and administrators download lists of submissions as CSV or XLSX.

The page (GET) offers the list (applications or consultations), the format and the
submission dates; the download is a POST with the session's CSRF token, because it is
logged: every export lands in the audit log with its count and whether personal data was
written whole. Only administrators may ask for that (:data:`REVEAL_ROLES`); everyone else
gets the masked list.

Every record that matches is exported, however many (no cap): the store hands over a
snapshot of the matching documents, a forked child process streams them into a file under
the data directory (:func:`export_dir`, :mod:`forms_api.storage.forked`) while the server
goes on serving, and the file states its filters and number of rows, which the audit entry
records too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from forms_api.domain import exports
from forms_api.domain.queues import Search
from forms_api.domain.staff.roles import ADMIN
from forms_api.domain.submissions import now
from forms_api.storage.forked import run_forked
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
    documents = await service.store.snapshot(search.narrow(Query(kind), {}))  # as they are now
    moment = now()
    about = exports.About(
        kind=kind,
        made_at=moment.strftime("%Y-%m-%d %H:%M"),
        made_by=f"{staff.user.name}（{staff.user.role.label}）",
        filters=_filters(search),
        revealed=reveal,
    )
    fd, name = tempfile.mkstemp(
        prefix=f"export-{os.getpid()}-", suffix=f".{fmt}", dir=export_dir(service.settings.data_dir)
    )
    os.close(fd)
    path = Path(name)

    def write() -> int:  # in a forked child: the documents as they were, the public served meanwhile
        table = exports.iter_rows(
            kind,
            documents,
            reveal=service.vault.decrypt if reveal else None,
            departments={d.id: d.name for d in service.catalog.departments.values()},
            today=moment.date(),
        )
        if fmt == "xlsx":
            return exports.write_xlsx(kind, table, path, about)
        with path.open("wb") as handle:
            return exports.write_csv(kind, table, handle, about)

    try:
        count = await run_forked(write)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    details = {"kind": kind, "format": fmt, "rows": count, "revealed": reveal}
    details |= {k: values[k] for k in ("since", "until") if values[k]}
    try:
        await request.app.state.casework.log_access(None, staff.actor, "export", details)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type=exports.MEDIA_TYPES[fmt],
        filename=exports.filename(kind, fmt, moment.date()),
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def _filters(search: Search) -> tuple[tuple[str, str], ...]:
    if search.since and search.until:
        return (("提交日期", f"{search.since.isoformat()} 至 {search.until.isoformat()}"),)
    if search.since:
        return (("提交日期", f"{search.since.isoformat()} 起"),)
    if search.until:
        return (("提交日期", f"至 {search.until.isoformat()}"),)
    return ()


def export_dir(data_dir: Path) -> Path:
    """Where export files are written before they are sent (``<data dir>/tmp/exports``, mode
    700: a revealed export holds personal data); each is deleted once sent."""
    folder = Path(data_dir) / "tmp" / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def clear_exports(data_dir: Path) -> int:
    """Delete export files a crash left behind; at start, before serving. Returns how many.

    Files of processes still running (the other workers of ``ipps serve --workers N``, which
    share the data directory) are theirs to delete and are kept."""
    folder = Path(data_dir) / "tmp" / "exports"
    removed = 0
    if folder.is_dir():
        for path in folder.glob("export-*"):
            writer = path.name.split("-")[1]
            if writer.isdigit() and int(writer) != os.getpid() and _running(int(writer)):
                continue
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True
