"""A page the plugin adds to the site, rendered from a template when mkdocs reaches it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import urls


@dataclass(frozen=True)
class Section:
    """An entry of the page's table of contents (the right-hand sidebar)."""

    anchor: str
    title: str


@dataclass
class SitePage:
    url: str
    title: str
    description: str
    template: str
    context: Callable[[], Mapping[str, Any]] = dict
    """Called when the page is rendered, so that 10,000 pages are not held in memory."""
    sections: list[Section] = field(default_factory=list)
    in_nav: bool = False
    """Pages listed in mkdocs.yml's nav; the others are reached through index pages."""
    searchable: bool = True
    """False for pages that only list others (lists, pagination): search finds the items."""
    wide: bool = False
    """Give a wide table the whole width: no sidebars on wide screens (the menu keeps the nav)."""
    service_shell: bool = False
    """The shell the service renders its pages in: links on it must not name its own URL."""

    @property
    def source_uri(self) -> str:
        return urls.source_uri(self.url)

    def meta(self) -> dict[str, Any]:
        """What a page's front matter would say: title, description, how the theme shows it."""
        meta: dict[str, Any] = {"title": self.title, "description": self.description}
        if not self.searchable:
            meta["search"] = False
        if self.wide:
            meta["hide"] = ["navigation", "toc"]
        elif not self.in_nav:
            meta["hide"] = ["navigation"]  # the sidebar would be empty: give the content the room
        if self.service_shell:
            meta["service_shell"] = True
        if not self.in_nav:
            meta["shared_layout"] = True  # nothing in the nav is current: see SharedMarkup
        return meta


def paginate(items: list[Any], per_page: int) -> list[list[Any]]:
    """Split a list into pages of at most ``per_page`` (at least one page, maybe empty)."""
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
