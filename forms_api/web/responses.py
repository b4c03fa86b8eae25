"""Answers in the form the client asked for: JSON for scripts, HTML for a browser's form post.

Every error a client can cause is a 4xx with ``{"error": {"code", "message", "fields"}}``,
messages in Chinese; a browser posting a form without JavaScript gets the same as a page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

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
