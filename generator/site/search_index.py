"""The search index: Pagefind (extended build, which segments Chinese) over the built site.

Only content inside ``data-pagefind-body`` is indexed (see generator/theme/main.html), so
navigation and footers do not match every query. The index is split into chunks that the
browser loads for the words of a query, which keeps a search on a 10,000-item catalog to a
few hundred kilobytes. The search page (generator/site/pages/search.py) queries it with
Pagefind's JS API from ``BUNDLE_DIR``.

Chinese: the extended build segments the text of pages into words when indexing (stored with
zero-width spaces between them); in the browser, Pagefind splits the query with
``Intl.Segmenter`` for the page's language and matches words by prefix, so 质押 finds
质押登记 and 软著 finds an item whose aliases list 软著.
"""

from __future__ import annotations

import subprocess
import sys
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


def command(site_dir: Path) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        BUNDLE_DIR.rstrip("/"),
    ]
    args += ["--force-language", LANGUAGE]
    for selector in EXCLUDED:
        args += ["--exclude-selectors", selector]
    return [*args, "--silent"]


def build(site_dir: Path) -> None:
    try:
        result = subprocess.run(command(site_dir), capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PluginError(f"无法运行 Pagefind 建立搜索索引：{exc}") from None
    if result.returncode != 0:
        raise PluginError(f"Pagefind 建立搜索索引失败：\n{result.stderr or result.stdout}")
