"""The search index: Pagefind (extended build, which segments Chinese) over the site's pages.

Pagefind reads, for each searchable page, the page's body (no navigation, header or
footer), written to a staging folder that mirrors the site's URLs. The plugin renders those
bodies first thing (``on_files``; generated pages depend only on the catalog, hand-written
ones are converted from their Markdown), starts Pagefind, and builds the site while it
indexes; ``on_post_build`` waits for it. On a 10,000-item catalog this takes Pagefind's
40-odd seconds off the critical path, and reading bodies instead of whole pages halves
Pagefind's own work. The index is split into chunks that the
browser loads for the words of a query, which keeps a search on a 10,000-item catalog to a
few hundred kilobytes. The search page (generator/site/pages/search.py) queries it with
Pagefind's JS API from ``BUNDLE_DIR``.

Chinese: the extended build segments the text of pages into words when indexing (stored with
zero-width spaces between them); in the browser, Pagefind splits the query with
``Intl.Segmenter`` for the page's language and matches words by prefix, so 质押 finds
质押登记 and 软著 finds an item whose aliases list 软著.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

from mkdocs.exceptions import PluginError

BUNDLE_DIR = "pagefind/"
"""Where Pagefind writes its index and scripts, relative to the site root (its default)."""

LANGUAGE = "zh-cn"
"""Every page is indexed as this language, so there is one index whatever a page declares.
It matches ``<html lang="zh-CN">`` (mkdocs.yml's theme language), which Pagefind's script
reads on the search page to pick the index, and its ``zh`` turns on Chinese segmentation
both when indexing and for the query."""

EXCLUDED = (
    ".ipps-badges",  # 在用 / 基础服务 / 承诺件 …: the same few words on every item, noise in excerpts
    ".ipps-actions",  # buttons (打印材料清单, 前往网上办理)
)
"""Parts of indexed pages that are not content. Pagefind still reads metadata inside them
(``data-pagefind-meta``), e.g. an item's status for the result list."""


def command(source_dir: Path, output_dir: Path) -> list[str]:
    args = [sys.executable, "-m", "pagefind", "--site", str(source_dir), "--output-path", str(output_dir)]
    args += ["--force-language", LANGUAGE]
    for selector in EXCLUDED:
        args += ["--exclude-selectors", selector]
    return [*args, "--silent"]


_STAGING_ROOT = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
"""Staged pages live in memory where the system offers it: 10,000 small files, read once."""


class SearchIndexer:
    """Collects searchable page bodies, then runs Pagefind over them in the background."""

    def __init__(self) -> None:
        self._staging = Path(tempfile.mkdtemp(prefix="ipps-search-", dir=_STAGING_ROOT))
        self._process: subprocess.Popen[str] | None = None
        self.pages = 0

    def add_page(self, url: str, title: str, body_html: str) -> None:
        """Stage a page: ``url`` is its site URL (``items/patent-pledge/``)."""
        target = self._staging / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><main data-pagefind-body>{body_html}</main></body></html>",
            encoding="utf-8",
        )
        self.pages += 1

    def start(self, site_dir: Path) -> None:
        """Start indexing what was staged, into ``site_dir`` / BUNDLE_DIR."""
        try:
            self._process = subprocess.Popen(
                command(self._staging, site_dir / BUNDLE_DIR),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        except OSError as exc:
            self.close()
            raise PluginError(f"无法运行 Pagefind 建立搜索索引：{exc}") from None

    def finish(self) -> None:
        """Wait for the index; raise :class:`PluginError` if Pagefind failed."""
        if self._process is None:
            return
        output, _ = self._process.communicate()
        failed = self._process.returncode != 0
        self.close()
        if failed:
            raise PluginError(f"Pagefind 建立搜索索引失败：\n{output}")

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._staging, ignore_errors=True)
