"""``catalog/directories/*.yml``: the basic (annex C) and value-added (annex D) directories."""

from __future__ import annotations

from .base import CatalogModel, field
from .types import Nature, Slug, Text


class DirectoryEntry(CatalogModel):
    id: Slug = field("类别标识", "英文标识，事项的“事项类别”引用它。", example="patent-basic")
    seq: int = field("序号", "名录中的序号，与附录 C、D 一致。", example=8, ge=1)
    name: Text = field("服务名称", "名录中的服务名称。", example="专利类基础服务")
    description: Text = field("服务说明", "这一类服务包括什么。")


class Directory(CatalogModel):
    name: Text = field("名录名称", "名录的标题。", example="知识产权基础服务名录")
    nature: Nature = field("服务性质", "基础（附录 C）或个性化增值（附录 D）。", example="基础")
    description: Text = field("名录说明", "名录的编制依据和适用范围。")
    entries: list[DirectoryEntry] = field("名录条目", "名录中的服务类别。", min_length=1)
