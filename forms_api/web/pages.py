"""Pages the service renders for browsers that post forms without JavaScript.

They wear the site's look: the site has a shell page (``forms/page/``, generated with the
rest of the site) whose content is a marker; the service puts its content in place of the
marker, with the shell's relative links made absolute. The content comes from the same
templates the site renders its forms with (generator/templates/forms/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from jinja2 import BaseLoader
from starlette.responses import HTMLResponse

from forms_api.domain.submissions import Receipt, Service
from generator import forms
from generator.site.render import make_environment, render

SHELL_URL = "forms/page/"
MARKER = "<!--ipps:content-->"
_LINK = re.compile(r'(\s(?:href|src|action)=")([^"#][^"]*)"')
_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)
_ABSOLUTE = ("http:", "https:", "mailto:", "tel:", "data:", "/", "javascript:")

FORM_TEMPLATES = {
    "consultation": "forms/consultation.html",
    "application": "forms/application.html",
    "rating": "forms/rating.html",
    "complaint": "forms/complaint.html",
}
NOUNS = {"consultation": "咨询留言", "application": "申请", "rating": "评价", "complaint": "投诉建议"}


class ShellMissing(Exception):
    pass


class Pages:
    def __init__(
        self, site_dir: Path, service: Service, templates: Mapping[str, BaseLoader] | None = None
    ) -> None:
        """``templates``: more template folders by name prefix (the console's, as ``staff/…``)."""
        path = site_dir / SHELL_URL / "index.html"
        if not path.is_file():
            raise ShellMissing(f"网站缺少表单结果页 {path}，请重新运行 ipps build")
        shell = _LINK.sub(lambda m: m[1] + _absolute(m[2]) + '"', path.read_text(encoding="utf-8"))
        if MARKER not in shell:
            raise ShellMissing(f"{path} 中没有 {MARKER}，请重新运行 ipps build")
        self._head, self._tail = shell.split(MARKER, 1)
        self.service = service
        self.site_name = service.catalog.platform.name
        self.env = make_environment(templates)

    def _page(
        self,
        title: str,
        template: str,
        context: dict[str, Any],
        status: int,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        body = render(self.env, template, "", {**self._globals(), **context}, absolute=True)
        head = _TITLE.sub(f"<title>{escape(title)} - {escape(self.site_name)}</title>", self._head, count=1)
        return HTMLResponse(head + body + self._tail, status, headers)

    def _globals(self) -> dict[str, Any]:
        catalog = self.service.catalog
        return {"platform": catalog.platform, "catalog": catalog, "forms": forms}

    def page(self, title: str, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        """Any page of the service (the staff console's too) in the site's look."""
        return self._page(title, template, context, status)

    def message(
        self,
        title: str,
        message: str,
        status: int,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        context = {"title": title, "message": message, "fields": fields or {}, "status": status}
        return self._page(title, "forms/message.html", context, status, headers)

    def receipt(self, kind: str, receipt: Receipt) -> HTMLResponse:
        title = "评价已提交" if kind == "rating" else f"{NOUNS[kind]}已提交"
        return self._page(title, "forms/receipt.html", {"kind": kind, "receipt": receipt.as_dict()}, 201)

    def form_errors(
        self, kind: str, values: dict[str, Any], problems: dict[str, str], message: str
    ) -> HTMLResponse:
        context: dict[str, Any] = {"values": values, "errors": problems, "summary": message}
        code = str(values.get("item_code", ""))
        found = self.service.items_by_code.get(code)
        context["slug"], context["item"] = found if found else (None, None)
        if kind == "application" and found:
            context["form"] = forms.application_form(found[1])
        title = f"{NOUNS[kind]}需要修改"
        return self._page(title, FORM_TEMPLATES[kind], context, 422)

    def lookup(self, view: dict[str, Any], code: str) -> HTMLResponse:
        """The progress page; ``code`` goes into the links to the correction form and the result
        document (the page is not cached)."""
        context = {"view": view, "code": code}
        response = self._page(f"办件进度 {view['receipt_no']}", "forms/lookup-result.html", context, 200)
        response.headers["Cache-Control"] = "no-store"
        return response


def _absolute(link: str) -> str:
    return link if link.startswith(_ABSOLUTE) else urljoin("/" + SHELL_URL, link)
