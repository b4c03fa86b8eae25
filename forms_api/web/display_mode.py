"""关怀模式（适老化）: the display mode of the site, kept across pages in a cookie.

Every page links ``assets/ipps/mode.css``. That file in the built site is the standard mode
(empty); while the cookie ``ipps_mode=care`` is set, the service answers the same address with
``assets/ipps/care.css`` (nginx does the same from the files, deploy/nginx/ipps.conf). So the
mode holds on every page, static or rendered, without JavaScript:

- ``GET /api/mode?set=care|standard&next=/path/``: sets or clears the cookie and goes back to
  ``next`` (a path of this site only) or, without it, to the page the link was on;
- ``GET /assets/ipps/mode.css``: the stylesheet of the mode the cookie names.

With JavaScript, site.js sets the same cookie and swaps the stylesheet in place.
The cookie holds a display preference only, nothing about the person, and is readable by
scripts on purpose.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

COOKIE = "ipps_mode"
CARE = "care"
MODES = {CARE: "care.css", "standard": "mode.css"}
STYLESHEET = "assets/ipps/mode.css"
YEAR = 365 * 24 * 3600


def _same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (no scheme, host or protocol-relative form)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def _back(request: Request) -> str:
    """Where the switch was clicked: ``next``, else the Referer if it is this site, else home."""
    if target := _same_site_path(request.query_params.get("next")):
        return target
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return _same_site_path(referer.path + (f"?{referer.query}" if referer.query else "")) or "/"
    return "/"


async def switch(request: Request) -> Response:
    mode = request.query_params.get("set", "")
    response = RedirectResponse(_back(request), 303)
    secure = request.url.scheme == "https"
    if mode == CARE:
        response.set_cookie(COOKIE, CARE, max_age=YEAR, path="/", samesite="lax", secure=secure)
    else:
        response.delete_cookie(COOKIE, path="/", samesite="lax", secure=secure)
    return response


async def stylesheet(request: Request) -> Response:
    site_dir = Path(request.app.state.service.settings.site_dir)
    mode = CARE if request.cookies.get(COOKIE) == CARE else "standard"
    path = site_dir / "assets" / "ipps" / MODES[mode]
    try:
        body = path.read_bytes()
    except OSError:
        body = b""
    headers = {"Cache-Control": "no-cache", "Vary": "Cookie"}
    return Response(body, media_type="text/css", headers=headers)


ROUTES = [Route("/mode", switch, methods=["GET"])]
"""Under /api."""
