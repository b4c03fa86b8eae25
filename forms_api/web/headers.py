"""Security headers on every answer: the site's pages, the staff console, the API, files.

- ``Content-Security-Policy``: pages load scripts, styles, images, fonts and data only from
  the site itself, never inline code (mkdocs-material's inline scripts are overridden empty,
  generator/theme/partials/javascripts/); ``'wasm-unsafe-eval'`` lets the search index
  (Pagefind) run its WebAssembly, which is code from the site itself. The site may be framed
  by itself (``frame-ancestors 'self'``), the console by nobody (``'none'``), against
  clickjacking; answers that are not pages (JSON, files) get ``default-src 'none'``.
- ``X-Frame-Options`` says the same to older browsers; ``X-Content-Type-Options: nosniff``;
  ``Referrer-Policy: strict-origin-when-cross-origin``, so a page's address (a lookup with its
  receipt number) never goes to another site; ``Permissions-Policy`` turns off what no page
  uses; ``Cross-Origin-Opener-Policy: same-origin``.
- ``Strict-Transport-Security`` when the request came over HTTPS (directly or through a
  trusted proxy's ``X-Forwarded-Proto``), never over plain HTTP.

A header a handler set itself is left as it is. deploy/nginx/ipps.conf sets the same headers
on the static files nginx serves.
"""

from __future__ import annotations

from typing import Any

_SOURCES = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
SITE_CSP = f"{_SOURCES}; frame-ancestors 'self'"
CONSOLE_CSP = f"{_SOURCES}; frame-ancestors 'none'"
NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"
HSTS = "max-age=31536000"


def headers_for(path: str, content_type: str, https: bool) -> dict[bytes, bytes]:
    console = path == "/staff" or path.startswith("/staff/")
    page = content_type.startswith("text/html")
    found = {
        b"content-security-policy": (CONSOLE_CSP if console else SITE_CSP) if page else NOT_A_PAGE_CSP,
        b"x-frame-options": "DENY" if console or not page else "SAMEORIGIN",
        b"x-content-type-options": "nosniff",
        b"referrer-policy": "strict-origin-when-cross-origin",
        b"permissions-policy": PERMISSIONS,
        b"cross-origin-opener-policy": "same-origin",
    }
    if https:
        found[b"strict-transport-security"] = HSTS
    return {name: value.encode("latin-1") for name, value in found.items()}


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = list(message.get("headers", ()))
                names = {name.lower() for name, _ in present}
                content_type = next(
                    (v.decode("latin-1") for n, v in present if n.lower() == b"content-type"), ""
                )
                extra = headers_for(scope["path"], content_type, scope.get("scheme") == "https")
                message["headers"] = present + [(n, v) for n, v in extra.items() if n not in names]
            await send(message)

        await self.app(scope, receive, answer)
