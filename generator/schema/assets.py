"""``catalog/data-assets.yml``: the data asset directory (8.2.5)."""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .types import AccessLevel, AssetType, DataLevel, Prose, Slug, Subject, Text, UpdateFrequency


class DataAsset(CatalogModel):
    id: Slug = field("资产标识", "英文标识。", example="patent-pledge-records")
    name: Text = field("资产名称", "数据资产的名称。", example="专利权质押登记数据")
    type: AssetType = field("资产类型", "数据库、数据集、数据接口或文件资料。", example="数据集")
    owner: Slug = field(
        "归属部门", "负责该数据的部门标识（见 departments.yml）。", example="ip-protection-center"
    )
    subjects: list[Subject] = field(
        "数据主题", "数据涉及的服务客体，可填多个。", example=["专利", "商标"], min_length=1
    )
    level: DataLevel = field("数据分级", "一般数据、重要数据或核心数据。", example="一般数据")
    update_frequency: UpdateFrequency = field("更新频率", "多久更新一次。", example="每月")
    access: AccessLevel = field("开放属性", "无条件开放、有条件开放或不予开放。", example="有条件开放")
    personal_information: bool = field(
        "含个人信息",
        "是否含有姓名、证件号码、联系电话等个人信息；含个人信息的不能无条件开放。",
        example=False,
        default=False,
    )
    description: Text = field("资产说明", "数据包含什么、来源何处、可用于什么。")
    source: Text = field("数据来源", "数据从哪个系统采集。", example="专利权质押登记受理系统")
    registered_on: dt.date = field("注册日期", "登记进数据资产目录的日期。", example="2025-03-01")
    data_ip_registration: Prose | None = field(
        "数据知识产权登记", "已办理数据知识产权登记的，填写登记证书编号（8.2.5 d）。", default=None
    )


class DataAssetsFile(CatalogModel):
    assets: list[DataAsset] = field("数据资产", "平台的数据资产目录。", min_length=1)
