"""操作日志: the audit log, read-only, for auditors and administrators.

Entries are written by :mod:`forms_api.domain.casework` with every action (in the same store write
as the record's change) and every look at guarded data (revealed personal data, a material
opened, a list exported). Nothing in the console changes or deletes them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from forms_api.domain.measures import KIND as MEASURE
from forms_api.domain.receipts import kind_of
from forms_api.storage.query import Query

from .access import AUDIT_ROLES, Staff, bar_context, page
from .display import cursors, local_time, pager

PAGE = 100


@page(*AUDIT_ROLES)
async def audit_log(request: Request, staff: Staff) -> Response:
    service = request.app.state.service
    record = request.query_params.get("record", "").strip().upper()[:32]
    actor = request.query_params.get("actor", "").strip()[:32]
    found = await service.store.find(
        Query("audit", target=record, actor=actor), PAGE, **cursors(request.query_params)
    )
    context = {
        **bar_context(staff, service.catalog),
        "entries": [_entry(e) for e in found.rows],
        "filters": {"record": record, "actor": actor},
        **pager({**request.query_params, "record": record, "actor": actor}, found),
    }
    return request.app.state.pages.page("操作日志", "staff/audit.html", context)


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "no": entry.get("audit_no", ""),
        "at": local_time(entry.get("at")),
        "actor": entry.get("actor", ""),
        "role": entry.get("role_label") or entry.get("role", ""),
        "label": entry.get("label", entry.get("action", "")),
        "record": entry.get("record") or "",
        "href": _href(entry.get("record") or ""),
        "note": entry.get("note", ""),
        "changes": [
            (name, _text(entry.get("before", {}).get(name)), _text(value))
            for name, value in (entry.get("after") or {}).items()
        ],
        "details": _text(entry.get("details")) if entry.get("details") else "",
    }


def _href(number: str) -> str:
    """The console page of the record an entry is about (an improvement measure has its own)."""
    if not number:
        return ""
    return f"/staff/{'measures' if kind_of(number) == MEASURE else 'records'}/{quote(number)}"


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
