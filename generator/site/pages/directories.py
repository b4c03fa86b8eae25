"""The basic (annex C) and value-added (annex D) service directories with their items.

A directory page shows the standard's table (序号, 服务名称) with each entry's description and
the listed items of that category. So that the page does not grow with the catalog, an entry
shows at most ``PREVIEW`` items there and links to its own page, which lists all of them in
pages of ``PER_PAGE`` rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from generator.schema import Directory, DirectoryEntry

from .. import urls
from ..page import SitePage, paginate
from ..site import DIRECTORY_ORDER, Listed, Site
from .browse import item_rows

PER_PAGE = 100
PREVIEW = 10

ANNEXES = {"basic": "附录 C 表 C.1", "value-added": "附录 D 表 D.1"}


def pages(site: Site) -> Iterator[SitePage]:
    by_category: dict[str, list[Listed]] = defaultdict(list)
    for entry in site.listed:
        by_category[entry.item.category].append(entry)
    known = site.catalog.directories
    stems = [s for s in DIRECTORY_ORDER if s in known] + sorted(s for s in known if s not in DIRECTORY_ORDER)
    for stem in stems:
        directory = site.catalog.directories[stem]
        yield SitePage(
            url=urls.directory(stem),
            title=directory.name,
            description=f"{directory.name}（T/CIPS 007—2024 {ANNEXES.get(stem, '')}）：{len(directory.entries)} 类服务及本平台对应的服务事项。",
            template="directory.html",
            context=lambda stem=stem, directory=directory: context(site, stem, directory, by_category),
            in_nav=True,
        )
        for entry in directory.entries:
            yield from entry_pages(site, stem, directory, entry, by_category[entry.id])


def context(
    site: Site, stem: str, directory: Directory, by_category: dict[str, list[Listed]]
) -> dict[str, Any]:
    others = [(s, d) for s, d in site.catalog.directories.items() if s != stem]
    return {
        "stem": stem,
        "directory": directory,
        "annex": ANNEXES.get(stem, ""),
        "entries": [
            {
                "entry": entry,
                "url": urls.directory_entry(stem, entry.id),
                "listed": [(e.slug, e.item) for e in by_category[entry.id][:PREVIEW]],
                "total": len(by_category[entry.id]),
            }
            for entry in sorted(directory.entries, key=lambda e: e.seq)
        ],
        "total": sum(len(by_category[entry.id]) for entry in directory.entries),
        "others": others,
    }


def entry_pages(
    site: Site, stem: str, directory: Directory, entry: DirectoryEntry, entries: list[Listed]
) -> Iterator[SitePage]:
    base = urls.directory_entry(stem, entry.id)
    chunks = paginate(entries, PER_PAGE)
    for number, chunk in enumerate(chunks, start=1):
        yield SitePage(
            url=urls.paged(base, number),
            title=entry.name if number == 1 else f"{entry.name}（第 {number} 页）",
            description=f"{directory.name}第 {entry.seq} 类“{entry.name}”：{entry.description}",
            template="directory-entry.html",
            context=lambda chunk=chunk, number=number: {
                "stem": stem,
                "directory": directory,
                "entry": entry,
                "base": base,
                "rows": item_rows(site, chunk, start=(number - 1) * PER_PAGE + 1),
                "page_number": number,
                "pages_total": len(chunks),
                "total": len(entries),
            },
            searchable=False,
        )
