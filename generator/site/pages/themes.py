"""主题服务 (T/CIPS 007—2024 annex E, table E.1 item 3.5): 主题式 and 套餐式 bundles.

The index groups the bundles by kind; each bundle's page lists its items in the order they are
done and the union of their materials, de-duplicated by name in order of first appearance, so
that a visitor prepares each document once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.schema import Item, Material, Theme
from generator.schema.tables import SERVICE_OBJECTS, THEME_KINDS

from .. import urls
from ..page import Section, SitePage
from ..site import Site


@dataclass(frozen=True)
class Use:
    """One item of the bundle that asks for a material."""

    step: int
    slug: str
    item: Item
    material: Material


@dataclass
class SharedMaterial:
    name: str
    uses: list[Use] = field(default_factory=list)

    @property
    def first(self) -> Material:
        return self.uses[0].material

    @property
    def required(self) -> str:
        """必备 when every item that names it requires it, 按情形 when none does."""
        required = [use.material.required for use in self.uses]
        if all(required):
            return "必备"
        return "部分事项必备" if any(required) else "按情形提交"


def pages(site: Site) -> Iterator[SitePage]:
    themes = list(site.catalog.themes.values())
    yield SitePage(
        url=urls.THEMES,
        title="主题服务",
        description="围绕一件事把多个知识产权服务事项集成办理的主题式、套餐式服务：一次告知、材料共享、按顺序办理。",
        template="themes-index.html",
        context=lambda: index_context(site, themes),
        sections=[
            Section(_kind_anchor(kind), f"{kind}服务")
            for kind in THEME_KINDS.entries
            if _of_kind(themes, kind)
        ],
        in_nav=True,
        searchable=False,
    )
    for theme in themes:
        yield SitePage(
            url=urls.theme(theme.id),
            title=theme.name,
            description=f"{theme.name}（{theme.kind}服务）：{len(theme.items)} 个事项的办理顺序、承诺时限、收费情况和合并后的申请材料清单。",
            template="theme.html",
            context=lambda theme=theme: context(site, theme),
            sections=[
                Section("life-event", "适用情形"),
                Section("steps", "办理顺序"),
                Section("materials", "所需材料"),
            ],
        )


def _kind_anchor(kind: str) -> str:
    return {"主题式": "thematic", "套餐式": "package"}.get(kind, kind)


def _of_kind(themes: list[Theme], kind: str) -> list[Theme]:
    return [t for t in themes if t.kind == kind]


def index_context(site: Site, themes: list[Theme]) -> dict[str, Any]:
    return {
        "groups": [
            {"kind": kind, "anchor": _kind_anchor(kind), "meaning": meaning, "themes": _of_kind(themes, kind)}
            for kind, meaning in THEME_KINDS.entries.items()
            if _of_kind(themes, kind)
        ],
        "objects": {t.id: _objects(t) for t in themes},
    }


def _objects(theme: Theme) -> str:
    return "、".join(SERVICE_OBJECTS.label(code) for code in theme.service_objects)


def materials(site: Site, theme: Theme) -> list[SharedMaterial]:
    """Every material of the bundle's items, once per name, in order of first appearance."""
    found: dict[str, SharedMaterial] = {}
    for step, slug in enumerate(theme.items, start=1):
        item = site.item(slug)
        for material in item.materials:
            shared = found.setdefault(material.name, SharedMaterial(material.name))
            shared.uses.append(Use(step, slug, item, material))
    return list(found.values())


def context(site: Site, theme: Theme) -> dict[str, Any]:
    steps = [
        {
            "number": n,
            "slug": slug,
            "item": site.item(slug),
            "department": site.department(site.item(slug).department),
        }
        for n, slug in enumerate(theme.items, start=1)
    ]
    shared = materials(site, theme)
    return {
        "theme": theme,
        "kind_meaning": THEME_KINDS.label(theme.kind),
        "objects": _objects(theme),
        "steps": steps,
        "interrupted": [s for s in steps if s["item"].status.state != "在用"],
        "materials": shared,
        "material_total": sum(len(s["item"].materials) for s in steps),
    }
