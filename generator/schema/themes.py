"""``catalog/themes.yml``: 主题式 and 套餐式 service bundles (annex E.3.5)."""

from __future__ import annotations

from .base import CatalogModel, field
from .types import ServiceObjectCode, Slug, Text, ThemeKind


class Theme(CatalogModel):
    id: Slug = field("主题标识", "英文标识，用于网址。", example="start-a-business")
    name: Text = field("主题名称", "一件事的名称。", example="企业知识产权质押融资一件事")
    kind: ThemeKind = field("服务方式", "主题式或套餐式。", example="主题式")
    life_event: Text = field("适用情形", "办事人处在什么情形时需要这组服务。")
    description: Text = field("主题说明", "这组服务怎样衔接、一起办能省去什么。")
    service_objects: list[ServiceObjectCode] = field(
        "服务对象", "面向的服务对象代码。", example=["2"], default_factory=list
    )
    items: list[Slug] = field("包含事项", "按办理顺序排列的事项标识（文件名）。", min_length=2)


class ThemesFile(CatalogModel):
    themes: list[Theme] = field("主题服务", "主题式、套餐式服务。", min_length=1)
