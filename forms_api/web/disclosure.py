"""``/disclosure/``: the 信息公示专区 page (annex F.4.3) with the current list filled in.

The generator builds the page (``disclosure/``) with the site's navigation and, in its body, a
region between two markers that says the list is unavailable; served as plain files, that is
what a visitor sees. The service answers ``/disclosure/`` with the same built page, the region
replaced by the current list, rendered from the template the page includes
(generator/templates/forms/disclosure-table.html). Only the item, dates, status and a masked
receipt number are shown (:func:`forms_api.domain.disclosure.rows`): nothing about the
applicant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from forms_api.domain.disclosure import rows
from generator.site import urls
from generator.site.render import make_environment, render

START, END = "<!--ipps:disclosure-->", "<!--/ipps:disclosure-->"
TABLE_TEMPLATE = "forms/disclosure-table.html"


class DisclosurePage:
    """The built ``disclosure/`` page with its list region filled in per request."""

    def __init__(self, site_dir: Path, env: Environment | None = None) -> None:
        path = site_dir / urls.DISCLOSURE / "index.html"
        self.env = env or make_environment()
        self._parts: tuple[str, str] | None = None
        if path.is_file():
            html = path.read_text(encoding="utf-8")
            head, start, rest = html.partition(START)
            _, end, tail = rest.partition(END)
            if start and end:
                self._parts = (head, tail)

    @property
    def available(self) -> bool:
        return self._parts is not None

    def render(self, found: list[dict[str, Any]], platform: Any) -> str:
        assert self._parts is not None
        context = {"rows": found, "platform": platform}
        table = render(self.env, TABLE_TEMPLATE, urls.DISCLOSURE, context)
        head, tail = self._parts
        return head + START + table + END + tail


async def page(request: Request) -> Response:
    """GET /disclosure/: the page with the current list (404 when the site lacks the page)."""
    disclosure: DisclosurePage | None = request.app.state.disclosure
    if disclosure is None or not disclosure.available:
        return HTMLResponse("<h1>404</h1>", 404)
    service = request.app.state.service
    html = disclosure.render(await rows(service.store), service.catalog.platform)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
