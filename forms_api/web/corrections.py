"""What an applicant does after submitting, with the receipt number and lookup code: send the
corrections asked for (补正, F.2.2) and download the result document.

Both check the lookup code as the progress lookup does (an unknown receipt and a wrong code
answer alike) and count against the lookup rate limit, so they cannot be used to guess codes.
The code travels in the query string (GET) or the form body (POST), as for the lookup.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from forms_api.domain import workflow
from forms_api.domain.casework import Casework, Stale
from forms_api.domain.errors import Invalid
from forms_api.domain.submissions import CORRECTION, public_view
from forms_api.storage.embedded.store import StoreUnavailable

from .responses import error_response, stored_file, wants_html
from .routes import BadRequest, read_payload, service_of, with_code

APPLICANT = workflow.Actor("申请人", "applicant")


async def _own(request: Request, code: str) -> dict[str, Any] | Response:
    """The applicant's own record, or the answer to give instead (:func:`.routes.with_code`)."""
    service = service_of(request)
    receipt_no = request.path_params["receipt_no"].strip().upper()
    return await with_code(request, receipt_no, code, lambda: service.own_record(receipt_no, code))  # type: ignore[no-any-return]


def _form(
    request: Request,
    record: dict[str, Any],
    code: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> Response:
    service = service_of(request)
    found = service.items_by_code.get(record["item"]["code"])
    wanted = {m["id"] for m in (record.get("corrections") or [{}])[-1].get("materials", [])}
    materials = [m for m in found[1].materials if m.id in wanted and not m.online_exempt] if found else []
    context = {
        "view": public_view(record, rated=False),
        "code": code,
        "materials": materials,
        "problems": public_view(record, rated=False)["corrections"],
        "values": values,
        "errors": errors,
        "summary": f"有 {len(errors)} 处需要修改，请一次改完后重新提交" if errors else None,
    }
    response = request.app.state.pages.page("提交补正材料", "forms/correction.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def correction_form(request: Request) -> Response:
    code = request.query_params.get("code", "")
    record = await _own(request, code)
    if isinstance(record, Response):
        return record
    if record["status"] != CORRECTION:
        return request.app.state.pages.message(
            "无需补正", f"该办件当前状态为“{record['status']}”，无需补正", 409
        )
    return _form(request, record, code, {}, {}, 200)


async def send_correction(request: Request) -> Response:
    try:
        values, files = await read_payload(request, files=True)
    except BadRequest as bad:
        return error_response(request, bad.status, bad.code, bad.message)
    code = str(values.get("code", ""))
    record = await _own(request, code)
    if isinstance(record, Response):
        return record
    casework: Casework = request.app.state.casework
    try:
        done = await casework.act(
            record["receipt_no"],
            "receive_correction",
            APPLICANT,
            {"note": values.get("note", "")},
            files=files,
        )
    except workflow.Refused as refused:
        return error_response(request, 409, "conflict", refused.message)
    except Stale as stale:
        return error_response(request, 409, "conflict", stale.message)
    except Invalid as invalid:
        if wants_html(request):
            return _form(request, record, code, {"note": values.get("note", "")}, invalid.problems, 422)
        message = f"有 {len(invalid.problems)} 处需要修改，请一次改完后重新提交"
        return error_response(request, 422, "validation_failed", message, invalid.problems)
    except StoreUnavailable:
        return error_response(request, 503, "unavailable", "服务暂时无法保存补正材料，请稍后重试")
    view = public_view(done.record, rated=False)
    if wants_html(request):  # back to the progress, which now says the corrections arrived
        return RedirectResponse(f"/api/lookup/{record['receipt_no']}?{urlencode({'code': code})}", 303)
    return JSONResponse(view)


async def result_file(request: Request) -> Response:
    record = await _own(request, request.query_params.get("code", ""))
    if isinstance(record, Response):
        return record
    file = (record.get("result") or {}).get("file")
    if not file:
        return error_response(request, 404, "not_found", "该办件没有可下载的结果文书")
    filename = file["file_name"] or f"{record['receipt_no']}.{file['type']}"
    return stored_file(service_of(request).blobs, file, filename)


ROUTES = [
    Route("/lookup/{receipt_no}/correction", correction_form, methods=["GET"]),
    Route("/lookup/{receipt_no}/correction", send_correction, methods=["POST"]),
    Route("/lookup/{receipt_no}/result-file", result_file, methods=["GET"]),
]
