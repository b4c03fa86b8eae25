"""Every generated page, page family by page family."""

from __future__ import annotations

from collections.abc import Iterator

from ..page import SitePage
from ..site import Site
from . import (
    browse,
    directories,
    events,
    faq,
    fees,
    forms,
    guides,
    home,
    items,
    lists,
    opendata,
    points,
    public,
    reference,
    results,
    search,
    themes,
)

BUILDERS = (
    home.pages,
    items.pages,
    lists.pages,
    browse.pages,
    themes.pages,
    guides.pages,
    points.pages,
    events.pages,
    directories.pages,
    fees.pages,
    public.pages,
    opendata.pages,
    reference.pages,
    search.pages,
    forms.pages,
    faq.pages,
    results.pages,
)


def build_pages(site: Site) -> Iterator[SitePage]:
    seen: set[str] = set()
    for builder in BUILDERS:
        for page in builder(site):
            if page.url in seen:
                raise ValueError(f"two generated pages at {page.url!r}")
            seen.add(page.url)
            yield page
