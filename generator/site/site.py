"""The catalog as the site sees it: items in publishing order and the lookups pages need."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from generator.catalog import Catalog
from generator.schema import Department, Directory, DirectoryEntry, FaqEntry, Item, ItemFigures, Theme

DIRECTORY_ORDER = ("basic", "value-added")


@dataclass(frozen=True)
class Listed:
    """An item with its slug and its place in the published lists (序号)."""

    slug: str
    item: Item
    number: int


class Site:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.platform = catalog.platform

    # --- items ----------------------------------------------------------------------------

    def _order(self, pair: tuple[str, Item]) -> tuple[int, int, str, str]:
        slug, item = pair
        found = self.category(item.category)
        directory = DIRECTORY_ORDER.index(found[2]) if found else len(DIRECTORY_ORDER)
        seq = found[1].seq if found else 0
        return directory, seq, item.basic_code, slug

    @cached_property
    def listed(self) -> list[Listed]:
        """Items in the published lists: not cancelled, in directory order, numbered."""
        live = [(s, i) for s, i in self.catalog.items.items() if i.status.state != "取消"]
        return [
            Listed(slug, item, n) for n, (slug, item) in enumerate(sorted(live, key=self._order), start=1)
        ]

    def item(self, slug: str) -> Item:
        return self.catalog.items[slug]

    def listed_where(self, keep: object) -> list[Listed]:
        return [entry for entry in self.listed if keep(entry.item)]  # type: ignore[operator]

    # --- lookups ------------------------------------------------------------------------------

    @cached_property
    def _categories(self) -> dict[str, tuple[Directory, DirectoryEntry, str]]:
        return {
            entry.id: (directory, entry, stem)
            for stem, directory in self.catalog.directories.items()
            for entry in directory.entries
        }

    def category(self, entry_id: str) -> tuple[Directory, DirectoryEntry, str] | None:
        """The directory, entry and directory file stem of an item category."""
        return self._categories.get(entry_id)

    def department(self, dept_id: str) -> Department:
        return self.catalog.departments[dept_id]

    @cached_property
    def themes_of(self) -> dict[str, list[Theme]]:
        found: dict[str, list[Theme]] = defaultdict(list)
        for theme in self.catalog.themes.values():
            for slug in theme.items:
                found[slug].append(theme)
        return found

    @cached_property
    def offered_at(self) -> dict[str, list[Listed]]:
        """Point id -> the listed items with a place at that point or at one of its windows."""
        found: dict[str, list[Listed]] = defaultdict(list)
        points = self.catalog.points
        for entry in self.listed:
            at = {p.point for p in entry.item.places if p.point in points}
            at |= {points[p].parent for p in list(at) if points[p].parent}  # a window's hall offers it too
            for point in sorted(at, key=list(points).index):  # type: ignore[arg-type]
                found[point].append(entry)
        return found

    @cached_property
    def handbook(self) -> list[FaqEntry]:
        """The 咨询问答手册 as published: the entries of ``faq.yml`` not marked hidden."""
        return [entry for entry in self.catalog.faq if not entry.hidden]

    @cached_property
    def handbook_of(self) -> dict[str, list[FaqEntry]]:
        """The published 咨询问答手册 entries about each item (by slug), in file order."""
        found: dict[str, list[FaqEntry]] = defaultdict(list)
        for entry in self.handbook:
            if entry.item:
                found[entry.item].append(entry)
        return dict(found)

    @cached_property
    def results_of(self) -> dict[str, ItemFigures]:
        """The published 服务评价结果 (``results.yml``) of each item that has figures, by slug."""
        results = self.catalog.results
        return {entry.item: entry for entry in results.items} if results else {}

    @cached_property
    def updated(self) -> dt.date:
        """When the catalog last changed: its newest change record or fee check."""
        dates = [c.date for i in self.catalog.items.values() for c in i.changes]
        dates += [s.verified_on for s in self.catalog.fee_standards.values()]
        return max(dates)

    def changes(self) -> Iterator[tuple[dt.date, str, Item, str, str]]:
        """Every change record as (date, slug, item, version, summary), newest first."""
        records = [
            (change.date, slug, item, change.version, change.summary)
            for slug, item in self.catalog.items.items()
            for change in item.changes
        ]
        records.sort(key=lambda r: (r[0], r[1], r[3]), reverse=True)
        return iter(records)
