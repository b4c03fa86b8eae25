"""The search page: a box, Pagefind results, and ways to find items without JavaScript.

The header and home-page forms submit ``search/?q=…``; generator/theme/assets/ipps/search.js
reads ``q``, fills the box and runs the query with Pagefind's JS API over the index that
generator/site/search_index.py builds into ``pagefind/``. Only the index chunks for the
words of the query and the fragments of the results shown are downloaded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .. import urls
from ..page import SitePage
from ..search_index import BUNDLE_DIR
from ..site import Site

HINTS = 8
"""How many common keywords the page offers as example searches."""

PER_PAGE = 10
"""Results shown at a time; each shown result downloads its fragment (a few KB)."""

KINDS = (
    (urls.ITEMS, "办事指南"),
    (urls.FEES, "收费标准"),
    (urls.THEMES, "主题服务"),
    (urls.DIRECTORIES, "服务名录"),
    (urls.BROWSE, "分类浏览"),
    (urls.DATA_ASSETS, "数据资产目录"),
    (urls.STANDARDS, "标准体系"),
    (urls.CHANGES, "目录变更记录"),
    (urls.OPEN_DATA, "开放数据"),
)
"""The label a result gets from the section of the site it is in (first prefix that matches)."""


def pages(site: Site) -> Iterator[SitePage]:
    yield SitePage(
        url=urls.SEARCH,
        title="搜索",
        description=f"搜索{site.platform.name}的服务事项、办事指南、收费标准和主题服务，可输入事项名称、简称或关键词。",
        template="search.html",
        context=lambda: context(site),
        in_nav=True,
        searchable=False,
    )


def context(site: Site) -> dict[str, Any]:
    return {
        "hints": hints(site),
        "per_page": PER_PAGE,
        "bundle": BUNDLE_DIR,
        "kinds": json.dumps(dict(KINDS), ensure_ascii=False),
    }


def hints(site: Site, count: int = HINTS) -> list[str]:
    """The keywords most items share (ties in catalog order): each finds several items."""
    counter: Counter[str] = Counter()
    for entry in site.listed:
        counter.update(dict.fromkeys(entry.item.keywords, 1))
    return [word for word, _ in counter.most_common(count)]
