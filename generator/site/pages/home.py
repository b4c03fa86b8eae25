"""The home page: search, entries by who is asking and by what, themes, common items, notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.schema.tables import SUBJECTS

from .. import urls
from ..page import SitePage
from ..site import Site


def pages(site: Site) -> Iterator[SitePage]:
    platform = site.platform
    yield SitePage(
        url=urls.HOME,
        title="首页",
        description=f"{platform.name}：{platform.introduction[:80]}",
        template="home.html",
        context=lambda: context(site),
        in_nav=True,
        searchable=False,
    )


def context(site: Site) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for entry in site.listed:
        for subject in entry.item.subjects:
            counts[subject] = counts.get(subject, 0) + 1
    today = dt.date.today()
    return {
        "subjects": [(s, counts.get(s, 0)) for s in SUBJECTS.entries],
        "themes": list(site.catalog.themes.values()),
        "guides": site.catalog.guides,
        "featured": [(slug, site.item(slug)) for slug in site.platform.featured_items],
        "notices": [n for n in site.platform.notices if n.until is None or n.until >= today],
    }
