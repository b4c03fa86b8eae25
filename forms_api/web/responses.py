"""Answers in the form the client asked for: JSON for scripts, HTML for a browser's form post.

Every error a client can cause is a 4xx with ``{"error": {"code", "message", "fields"}}``,
messages in Chinese; a browser posting a form without JavaScript gets the same as a page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse

from forms_api.storage.blobs import Blobs

TITLES = {
    400: "请求有误",
    403: "不允许的提交",
    404: "未找到",
    405: "不支持的请求方式",
    409: "重复提交",
    413: "提交的内容过大",
    415: "不支持的内容格式",
    422: "填写的内容需要修改",
    429: "提交过于频繁",
    503: "服务暂时不可用",
}


def wants_html(request: Request) -> bool:
    """A browser that posted a form (no JavaScript), rather than a script asking for JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request):
        pages = getattr(request.app.state, "pages", None)
        if pages is not None:
            return pages.message(TITLES.get(status, "出错了"), message, status, fields, headers=headers)
        title = TITLES.get(status, "出错了")
        page = f"<!doctype html><html lang=zh-CN><title>{title}</title><p>{escape(message)}</p>"
        return HTMLResponse(page, status, headers)
    return JSONResponse(error_body(code, message, fields), status, headers)


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""The media type of each file type :mod:`forms_api.storage.filetypes` recognises."""


def stored_file(blobs: Blobs, entry: dict[str, Any], filename: str) -> Response:
    """A stored upload (a record's ``materials`` entry or result file) as a download, never
    cached and never sniffed by the browser: from disk, or streamed a chunk at a time from
    the database."""
    media_type = MEDIA_TYPES.get(entry["type"], "application/octet-stream")
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    path = blobs.path(entry["stored_name"])
    if path is not None:
        return FileResponse(path, media_type=media_type, filename=filename, headers=headers)
    response = StreamingResponse(
        iterate_in_threadpool(blobs.read(entry["stored_name"])), media_type=media_type, headers=headers
    )
    # The same Content-Disposition as FileResponse writes (RFC 6266, UTF-8 names).
    response.headers["content-length"] = str(entry["size"])
    response.headers["content-disposition"] = FileResponse("", filename=filename).headers[
        "content-disposition"
    ]
    return response
