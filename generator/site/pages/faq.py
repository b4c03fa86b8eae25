"""The 咨询问答手册 (T/CIPS 007—2024 annex F, table F.1, 服务咨询 b): ``catalog/faq.yml``.

One page beside the consultation form (``consult/faq/``), its questions grouped by the item
they are about, in the order of the published lists, general questions last. Each item's
entries are also shown on its guide page, after the item's own ``faqs`` (see ``item.html``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.schema import FaqEntry, Item

from .. import urls
from ..page import Section, SitePage
from ..site import Site

TITLE = "咨询问答手册"
GENERAL = "综合问题"


@dataclass(frozen=True)
class Group:
    """The entries about one item, or (``slug`` None) the general ones."""

    slug: str | None
    item: Item | None
    entries: list[FaqEntry]

    @property
    def anchor(self) -> str:
        return urls.faq_anchor(self.slug)

    @property
    def title(self) -> str:
        return self.item.name if self.item else GENERAL


def groups(site: Site) -> list[Group]:
    """Items in the order of the published lists (cancelled ones after them), then the rest."""
    about = site.handbook_of
    order = {listed.slug: listed.number for listed in site.listed}
    slugs = sorted(about, key=lambda slug: (order.get(slug, len(order) + 1), slug))
    found = [Group(slug, site.item(slug), about[slug]) for slug in slugs]
    general = [entry for entry in site.handbook if not entry.item]
    if general:
        found.append(Group(None, None, general))
    return found


def pages(site: Site) -> Iterator[SitePage]:
    found = groups(site)
    yield SitePage(
        url=urls.FAQ,
        title=TITLE,
        description=(
            f"{site.platform.short_name}咨询问答手册：从群众咨询留言中整理的常见问题和解答，"
            "按服务事项分类，附办事指南链接。"
        ),
        template="faq.html",
        context=lambda: context(site, found),
        sections=[Section(group.anchor, group.title) for group in found],
        in_nav=True,
    )


def context(site: Site, found: list[Group]) -> dict[str, Any]:
    entries = site.handbook
    return {
        "groups": found,
        "total": len(entries),
        "latest": max((entry.published for entry in entries), default=None),
    }
