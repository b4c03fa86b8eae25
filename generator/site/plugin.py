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

import gc
import logging
import os
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from markdown import Markdown
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import get_data as get_markdown_meta

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


class SharedMarkup:
    """Parts of the layout that are the same on every page outside the navigation.

    Guide pages and list pages 2…n are not in the nav: their sidebar navigation, top tabs
    and footer mark nothing as current, and mkdocs writes their links relative to the page,
    so pages in the same folder (``items/…/``) get the same markup. Rendering it once per
    folder instead of once per page saves a third of the build of a 10,000-item catalog.
    Used by generator/theme/main.html.
    """

    def __init__(self) -> None:
        self._markup: dict[tuple[str, str], str] = {}

    @staticmethod
    def _folder(page_url: str) -> str:
        return page_url.rstrip("/").rpartition("/")[0]

    def get(self, part: str, page_url: str) -> str:
        return self._markup.get((part, self._folder(page_url)), "")

    def keep(self, part: str, page_url: str, markup: str) -> str:
        self._markup[(part, self._folder(page_url))] = markup
        return markup


class CatalogPluginConfig(base.Config):
    catalog = c.Type(str, default="catalog")
    """The catalog directory, relative to mkdocs.yml."""
    search = c.Type(bool, default=True)
    """Build the Pagefind search index after the site (needs the pagefind package)."""
    exports = c.Type(bool, default=True)
    """Write the open-data files into ``data/``."""


class CatalogPlugin(BasePlugin[CatalogPluginConfig]):
    def __init__(self) -> None:
        self.shared = SharedMarkup()
        self._collector_was_enabled = gc.isenabled()
        self.indexer: search_index.SearchIndexer | None = None
        self.bodies: dict[str, str] = {}
        """Bodies rendered early for the search index, used once by the build."""
        self.site: Site | None = None
        self.pages: dict[str, SitePage] = {}
        self.env: Environment = make_environment()
        self.catalog_dir = Path("catalog")

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Everything a build creates stays alive until it ends and forms no cycles worth
        # collecting (peak memory is the same without the collector); with it running, each
        # full collection rescans all pages built so far, a quarter of a 10,000-item build.
        self._collector_was_enabled = gc.isenabled()
        gc.disable()
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
        self.shared = SharedMarkup()
        if self.indexer is not None:
            self.indexer.close()
        self.indexer = search_index.SearchIndexer() if self.config.search else None
        for page in build_pages(self.site):
            self.pages[page.source_uri] = page
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.source_uri, content="", inclusion=inclusion))
        files_dir = self.site.catalog.files_dir
        if files_dir.is_dir():
            for path in sorted(p for p in files_dir.rglob("*") if p.is_file()):
                uri = "files/" + path.relative_to(files_dir).as_posix()
                files.append(File.generated(config, uri, abs_src_path=str(path)))
        if self.indexer is not None:
            self._start_search_index(files, config)
        return files

    def _start_search_index(self, files: Files, config: MkDocsConfig) -> None:
        """Render every searchable page's body now and start Pagefind on them, so that it
        indexes while mkdocs builds the site; the bodies are kept for the build."""
        assert self.indexer is not None
        self.bodies = {}
        for page in self.pages.values():
            if page.searchable:
                body = self._render_body(page)
                self.bodies[page.source_uri] = body
                self.indexer.add_page(page.url, page.title, body)
        markdown_converter = Markdown(
            extensions=config.markdown_extensions, extension_configs=config.mdx_configs
        )
        for file in files.documentation_pages():
            if file.src_uri in self.pages:
                continue
            source, meta = get_markdown_meta(file.content_string)
            if meta.get("search") is False:
                continue
            html = markdown_converter.reset().convert(self._render_markdown(source, file.src_uri))
            self.indexer.add_page(file.url, str(meta.get("title", "")), html)
        self.indexer.start(Path(config.site_dir))

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        generated = self.pages.get(page.file.src_uri)
        if generated is not None:
            # A generated page has no Markdown: its metadata comes from the SitePage and its body
            # from its template. mkdocs would parse front matter and build a Markdown converter
            # for every page, a fifth of a 10,000-page build.
            page.read_source = partial(self._read_generated, page, generated)  # type: ignore[method-assign]
            page.render = partial(self._render_generated, page, generated)  # type: ignore[method-assign]
        return page

    @staticmethod
    def _read_generated(page: Page, generated: SitePage, config: MkDocsConfig) -> None:
        page.markdown, page.meta = "", generated.meta()

    def _render_body(self, generated: SitePage) -> str:
        return render(self.env, generated.template, generated.url, {**self._globals(), **generated.context()})

    def _render_generated(self, page: Page, generated: SitePage, config: MkDocsConfig, files: Files) -> None:
        page.content = self.bodies.pop(generated.source_uri, None) or self._render_body(generated)
        page.toc = get_toc(
            [{"level": 2, "id": s.anchor, "name": s.title, "children": []} for s in generated.sections]
        )

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.pages:
            return markdown
        return self._render_markdown(markdown, page.file.src_uri)

    def _render_markdown(self, markdown: str, src_uri: str) -> str:
        """A hand-written page is a Jinja template over the catalog."""
        try:
            return self.env.from_string(markdown).render(**self._globals())
        except TemplateError as exc:
            raise PluginError(f"{src_uri}：页面模板错误：{exc}") from None

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        env.auto_reload = False  # the theme's templates do not change during a build
        return env

    def on_page_context(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        context["ipps"] = {**self._globals(), "shared": self.shared}
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # Material's navigation writes tabindex="" on section labels, which HTML does not allow
        # (the W3C validator rejects it; browsers ignore it): dropped, nothing else changes.
        return output.replace(' tabindex=""', "")

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.site is not None
        site_dir = Path(config.site_dir)
        if self.config.exports:
            exports.write_all(self.site, site_dir / "data")
        try:
            if self.indexer is not None:
                indexer, self.indexer = self.indexer, None
                indexer.finish()
        finally:
            self._restore_collector()

    def on_build_error(self, *, error: Exception) -> None:
        if self.indexer is not None:
            self.indexer.close()
            self.indexer = None
        self._restore_collector()

    def _restore_collector(self) -> None:
        if self._collector_was_enabled:
            gc.enable()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.catalog_dir))
        return server

    def _globals(self) -> dict[str, Any]:
        assert self.site is not None
        return {"site": self.site, "platform": self.site.platform, "catalog": self.site.catalog}
