"""Parts shared by several catalog files: time limits, contacts, legal bases, change records."""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .types import Email, Phone, Prose, Text, TimeUnit, Url, Version


class TimeLimit(CatalogModel):
    """A time limit such as 法定办结时限 or the duration of a process step."""

    value: int | None = field(
        "时限数值",
        "天数；单位为“即办”时不填。",
        example=20,
        default=None,
        ge=0,
        le=3650,
    )
    unit: TimeUnit = field("时限单位", "工作日、自然日或即办（当场办结）。", example="工作日")
    note: Prose | None = field(
        "时限说明",
        "时限的计算说明，例如“不含补正材料时间”。",
        example="不含申请人补正材料的时间",
        default=None,
    )

    def as_text(self) -> str:
        if self.unit == "即办":
            return "即办"
        return f"{self.value} 个{self.unit}"


class PhoneEntry(CatalogModel):
    label: Text = field("电话用途", "这个号码用于什么，例如“咨询电话”。", example="咨询电话")
    number: Phone = field("电话号码", "手机、带区号的固定电话或服务热线。", example="0123-88120001")


class Contact(CatalogModel):
    """A consultation or supervision channel."""

    phones: list[PhoneEntry] = field("电话", "可拨打的电话。", default_factory=list)
    email: Email | None = field(
        "电子邮箱", "可接收咨询或投诉的邮箱。", example="zscq@sfs.example.gov.cn", default=None
    )
    address: Prose | None = field("地址", "现场咨询或信函投诉地址。", default=None)
    online: Url | None = field(
        "网上渠道", "网上咨询或投诉入口的网址。", example="https://www.12345.gov.cn/", default=None
    )
    note: Prose | None = field("说明", "补充说明，例如接听时间。", default=None)


class LegalBasis(CatalogModel):
    title: Text = field("依据名称", "法律、法规、规章或规范性文件的名称。", example="《专利权质押登记办法》")
    document_no: Prose | None = field(
        "文号", "发文字号，例如“国家知识产权局令第 72 号”。", example="国家知识产权局令第72号", default=None
    )
    articles: Prose | None = field("条款", "引用的具体条款。", example="第五条、第六条", default=None)
    url: Url | None = field("原文网址", "依据原文的公开网址。", default=None)


class Change(CatalogModel):
    """One entry of a change history (8.2.2)."""

    date: dt.date = field("变更日期", "变更生效或发布的日期，格式 YYYY-MM-DD。", example="2026-03-01")
    version: Version = field("版本号", "变更后的版本号。", example="1.1")
    summary: Text = field(
        "变更内容",
        "改了什么、为什么改，写给办事群众看。",
        example="申请材料删除营业执照复印件，改为部门核验。",
    )
