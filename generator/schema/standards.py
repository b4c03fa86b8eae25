"""``catalog/standards.yml``: standards the platform follows and those it helped write (8.3)."""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .types import AuthoringRole, Prose, StandardKind, StandardState, Text, Url


class FollowedStandard(CatalogModel):
    code: Text = field("标准编号", "标准编号和年份。", example="GB/T 39046-2020")
    title: Text = field("标准名称", "标准的中文名称。", example="政务服务平台基础数据规范")
    kind: StandardKind = field("标准类别", "国家、行业、地方、团体或企业标准。", example="国家标准")
    state: StandardState = field("标准状态", "现行、即将实施、在编或废止。", example="现行")
    application: Text = field("在本平台的应用", "这项标准用在平台的哪些工作中。")
    url: Url | None = field("标准信息网址", "标准信息公开页面。", default=None)


class AuthoredStandard(CatalogModel):
    code: Prose | None = field(
        "标准编号", "已发布标准的编号；在编的可不填。", example="DB3399/T 12-2025", default=None
    )
    title: Text = field("标准名称", "标准的中文名称。")
    kind: StandardKind = field("标准类别", "国家、行业、地方、团体或企业标准。", example="地方标准")
    role: AuthoringRole = field("起草角色", "牵头起草或参与起草（8.3.2 b）。", example="参与起草")
    state: StandardState = field("标准状态", "现行、即将实施、在编或废止。", example="在编")
    published_on: dt.date | None = field("发布日期", "已发布的填写。", default=None)
    note: Prose | None = field("说明", "本平台承担的工作。", default=None)


class StandardsFile(CatalogModel):
    followed: list[FollowedStandard] = field("执行的标准", "平台建设和服务所遵循的标准。", min_length=1)
    authored: list[AuthoredStandard] = field(
        "参与制修订的标准", "平台牵头或参与制修订的标准。", default_factory=list
    )
