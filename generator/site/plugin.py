"""The mkdocs plugin that turns ``catalog/`` into pages (registered as ``ipps``).

- ``on_config`` loads the catalog; an invalid catalog stops the build with every problem.
- ``on_files`` adds the generated pages (``File.generated``, never written into
  ``content/``), the catalog's attachments, and drops the theme files the site does not
  use (material's bundle would fetch polyfills from a CDN).
- ``on_page_markdown`` renders hand-written pages as Jinja templates over the catalog, so
  that a phone number is written once, in ``platform.yml``. Generated pages carry only
  their front matter through Markdown.
- ``on_page_content`` renders a generated page's body from its template.
- ``on_post_build`` writes the open-data files and the search index.
- ``on_serve`` makes ``mkdocs serve`` rebuild when a catalog file changes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.catalog import CatalogInvalid, load_catalog

from . import exports, search_index
from .page import SitePage
from .pages import build_pages
from .render import make_environment, render
from .site import Site

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

CATALOG_ENV = "IPPS_CATALOG"
"""Overrides the ``catalog`` option, e.g. to build a synthetic catalog for a benchmark."""

UNUSED_THEME_FILES = ("assets/javascripts/",)
"""Material's scripts (bundle, lunr search): the site uses its own, and the bundle would load
polyfills from unpkg.com, which is not reachable from everywhere in mainland China."""


class CatalogPluginConfig(base.Config):
    catalog = c.Type(str, default="catalog")
    """The catalog directory, relative to mkdocs.yml."""
    search = c.Type(bool, default=True)
    """Build the Pagefind search index after the site (needs the pagefind package)."""
    exports = c.Type(bool, default=True)
    """Write the open-data files into ``data/``."""


class CatalogPlugin(BasePlugin[CatalogPluginConfig]):
    def __init__(self) -> None:
        self.site: Site | None = None
        self.pages: dict[str, SitePage] = {}
        self.env: Environment = make_environment()
        self.catalog_dir = Path("catalog")

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base_dir = Path(config.config_file_path).parent
        self.catalog_dir = base_dir / (os.environ.get(CATALOG_ENV) or self.config.catalog)
        try:
            catalog = load_catalog(self.catalog_dir)
        except CatalogInvalid as invalid:
            shown = "\n".join(p.format() for p in invalid.problems[:50])
            more = len(invalid.problems) - 50
            raise PluginError(
                f"目录校验未通过，共 {len(invalid.problems)} 个问题：\n{shown}"
                + (f"\n……另有 {more} 个问题" if more > 0 else "")
            ) from None
        self.site = Site(catalog)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        for theme_file in list(files):
            uri = theme_file.src_uri
            if uri.startswith(UNUSED_THEME_FILES) or uri.endswith(".map"):
                files.remove(theme_file)
        self.pages = {}
        for page in build_pages(self.site):
            self.pages[page.source_uri] = page
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(
                File.generated(config, page.source_uri, content=page.front_matter(), inclusion=inclusion)
            )
        files_dir = self.site.catalog.files_dir
        if files_dir.is_dir():
            for path in sorted(p for p in files_dir.rglob("*") if p.is_file()):
                uri = "files/" + path.relative_to(files_dir).as_posix()
                files.append(File.generated(config, uri, abs_src_path=str(path)))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.pages:
            return ""
        try:
            return self.env.from_string(markdown).render(**self._globals())
        except TemplateError as exc:
            raise PluginError(f"{page.file.src_uri}：页面模板错误：{exc}") from None

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return html
        body = render(self.env, generated.template, page.url, {**self._globals(), **generated.context()})
        page.toc = get_toc(
            [{"level": 2, "id": s.anchor, "name": s.title, "children": []} for s in generated.sections]
        )
        return body

    def on_page_context(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        context["ipps"] = self._globals()
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.site is not None
        site_dir = Path(config.site_dir)
        if self.config.exports:
            exports.write_all(self.site, site_dir / "data")
        if self.config.search:
            search_index.build(site_dir)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.catalog_dir))
        return server

    def _globals(self) -> dict[str, Any]:
        assert self.site is not None
        return {"site": self.site, "platform": self.site.platform, "catalog": self.site.catalog}
