"""Limits against mistakes and abuse: body size, submissions per client, other sites' posts."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .responses import error_response

MB = 1024 * 1024


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Answers 413 to a request whose body is larger than ``max_bytes``: at once when it says
    so in Content-Length, and as soon as more arrives than that otherwise."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(request, scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(request, scope, receive, send)

    async def _refuse(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes // MB
        response = error_response(
            request,
            413,
            "payload_too_large",
            f"提交的内容过大：每次提交（含全部附件）不能超过 {limit} MB，请压缩或拆分材料后重试",
        )
        await response(scope, receive, send)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def foreign_origin(request: Request, allowed: tuple[str, ...]) -> str | None:
    """The Origin of a post from another site that is not allowed; None when acceptable.

    Browsers send Origin with cross-site posts, so a form on another site cannot submit in a
    visitor's name; requests without Origin (other servers, scripts) are not browsers' and
    are limited like any other client.
    """
    origin = request.headers.get("origin")
    if not origin:
        return None
    same_site = urlsplit(origin).netloc == request.headers.get("host", "")
    if same_site or origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return None
    return origin  # including "null": a sandboxed or local file page
