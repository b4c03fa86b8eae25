"""``catalog/platform.yml``: who runs the platform, how to reach it, what it promises."""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .common import PhoneEntry
from .types import (
    ConstructionMode,
    CreditCode,
    Email,
    PlatformLevel,
    Postcode,
    Prose,
    RegionCode,
    ServiceObjectCode,
    Slug,
    Text,
    Url,
)


class Builder(CatalogModel):
    name: Text = field("单位名称", "建设主体的全称。", example="示范市市场监督管理局（知识产权局）")
    credit_code: CreditCode = field(
        "统一社会信用代码", "建设主体的 18 位统一社会信用代码，校验位会被检查。", example="11339900MB0000001X"
    )
    role: Prose | None = field("承担角色", "在共建、联建中承担的工作。", example="牵头建设", default=None)


class LinkedPlatform(CatalogModel):
    name: Text = field("平台名称", "联动的上级或同级平台。", example="浙江知识产权在线")
    level: PlatformLevel = field("层级", "国家级、省级或市级（8.1.3）。", example="省级")
    url: Url = field("网址", "平台首页网址。", example="https://zscq.example.gov.cn/")
    relation: Text = field("联动内容", "与该平台对接了哪些业务。", example="事项清单业务联动、办件数据回流")


class Commitment(CatalogModel):
    title: Text = field("承诺事项", "服务承诺的标题（4.1）。", example="一次性告知")
    text: Text = field(
        "承诺内容",
        "对公众的具体承诺。",
        example="申请材料不齐全的，当场或在受理期限内一次性告知需要补正的全部内容。",
    )


class Audience(CatalogModel):
    """A home-page entry by who is asking: 个人, 企业, 高校院所, 服务机构."""

    id: Text = field("入口标识", "英文标识，用于网址。", example="enterprise")
    name: Text = field("入口名称", "首页按服务对象分类的入口名称。", example="企业")
    description: Text = field(
        "入口说明", "一句话说明这类服务对象能办什么。", example="专利商标质押、许可备案、维权援助"
    )
    service_objects: list[ServiceObjectCode] = field(
        "对应服务对象代码",
        "该入口包含面向哪些服务对象（GB/T 39046 代码）的事项。",
        example=["2"],
        min_length=1,
    )


class Notice(CatalogModel):
    """A notice on the home page (通知公告): closures, changed procedures, new services."""

    date: dt.date = field("发布日期", "公告发布的日期。", example="2026-11-20")
    title: Text = field("公告标题", "一句话说明公告的内容。", example="元旦假期服务安排")
    text: Text = field("公告内容", "公告正文。")
    until: dt.date | None = field("展示截止日期", "过了这一天首页不再显示；不填则一直显示。", default=None)
    item: Slug | None = field("相关事项", "公告涉及的事项标识（文件名），首页会链接到它。", default=None)


class CodePatterns(CatalogModel):
    basic: Text = field(
        "基本编码格式",
        "事项基本编码应符合的正则表达式（按本平台编码规则）。",
        example=r"^\d{2}[CD]\d{7}$",
    )
    implementation: Text = field(
        "实施编码格式",
        "事项实施编码应符合的正则表达式。实施编码须以基本编码开头。",
        example=r"^\d{2}[CD]\d{7}-\d{12}-[0-9A-HJ-NPQRTUWXY]{18}-\d{2}$",
    )
    note: Prose | None = field("编码规则说明", "编码各段的含义。", default=None)


class OpenDataLicence(CatalogModel):
    """The terms under which the open-data downloads (8.2.7 b) may be reused."""

    name: Text = field(
        "许可协议名称", "开放数据适用的许可协议。", example="知识共享署名 4.0 国际许可协议（CC BY 4.0）"
    )
    short_name: Prose | None = field(
        "许可协议简称", "下载文件列表中显示的简称；不填时显示全称。", example="CC BY 4.0", default=None
    )
    url: Url = field(
        "许可协议网址",
        "许可协议全文的网址。",
        example="https://creativecommons.org/licenses/by/4.0/deed.zh-hans",
    )
    note: Prose | None = field(
        "使用说明", "对使用者的补充要求，例如注明出处的方式。", example="使用时请注明数据来源。", default=None
    )


class Settings(CatalogModel):
    """Figures the service and the console use; changing them is an editor's pull request."""

    consultation_reply_days: int = field(
        "咨询答复时限（工作日）", "收到咨询留言后答复的工作日数。", example=3, default=3, ge=1, le=60
    )
    complaint_reply_days: int = field(
        "投诉建议反馈时限（工作日）",
        "收到服务意见后反馈的工作日数（9.3 c 规定 3 个工作日）。",
        example=3,
        default=3,
        ge=1,
        le=60,
    )
    bad_rating_days: int = field(
        "差评整改时限（工作日）", "差评核实整改并回访的工作日数。", example=5, default=5, ge=1, le=60
    )
    correction_days: int = field(
        "补正期限（自然日）", "申请人收到补正通知后提交补正材料的期限。", example=15, default=15, ge=1, le=365
    )
    return_visit_sample_percent: int = field(
        "回访抽样比例（%）", "除差评外，已办结申请中抽取回访的比例。", example=10, default=10, ge=0, le=100
    )
    upload_max_file_mb: int = field(
        "单个上传文件大小上限（MB）",
        "申请材料中每个文件的大小上限，事项材料可单独设置。",
        example=10,
        default=10,
        ge=1,
        le=100,
    )
    region_code: RegionCode = field(
        "行政区划代码", "平台所在地的 12 位行政区划代码，用于组成实施编码。", example="339900000000"
    )
    code_patterns: CodePatterns = field("编码规则", "事项编码的格式规则。")


class Platform(CatalogModel):
    name: Text = field("平台名称", "平台对外公布的全称。", example="示范市知识产权公共服务中心")
    short_name: Text = field("简称", "页面标题等处使用的简称。", example="示范市知识产权服务中心")
    introduction: Text = field("平台简介", "一段话介绍平台的定位和服务范围。")
    builders: list[Builder] = field("建设主体", "建设平台的单位（6.1、第 7 章）。", min_length=1)
    construction_mode: ConstructionMode = field(
        "建设方式", "自建、共建、联建或委托建设（第 7 章）。", example="共建"
    )
    construction_note: Text = field("建设方式说明", "各建设主体如何分工、平台如何运营。")
    address: Text = field("地址", "服务大厅地址。", example="示范市滨江大道 88 号市民服务中心 3 楼")
    postcode: Postcode = field("邮政编码", "6 位邮政编码。", example="339900")
    hours: list[Text] = field(
        "开放时间",
        "服务大厅开放时间，每行一段。",
        example=["周一至周五 8:30—12:00，13:30—17:30"],
        min_length=1,
    )
    phones: list[PhoneEntry] = field("服务电话", "对外公布的电话。", min_length=1)
    email: Email = field("电子邮箱", "对外公布的邮箱。", example="zscq@sfs.example.gov.cn")
    website: Url = field("网址", "平台网站首页。", example="https://ip.sfs.example.gov.cn/")
    linked_platforms: list[LinkedPlatform] = field(
        "联动平台", "对接联动的省级、国家级平台和城市企业综合服务中心（8.1.3）。", default_factory=list
    )
    commitments: list[Commitment] = field("服务承诺", "平台对公众的服务承诺（4.1）。", min_length=1)
    audiences: list[Audience] = field(
        "服务对象入口", "首页按服务对象分类的入口（个人、企业、高校院所、服务机构）。", min_length=1
    )
    featured_items: list[Slug] = field(
        "常用事项",
        "首页“常用事项”列出的事项标识（文件名），按显示顺序；有办件统计后可按办件量调整。",
        example=["patent-pledge", "trademark-pledge"],
        default_factory=list,
    )
    notices: list[Notice] = field("通知公告", "首页显示的通知公告，新的在前。", default_factory=list)
    settings: Settings = field("运行参数", "受理、答复、差评处理等的时限和上限。")
    open_data_licence: OpenDataLicence | None = field(
        "开放数据许可",
        "“开放数据”页面下载文件（事项目录、清单、收费标准）的许可协议；不填时页面提示使用前联系平台。",
        default=None,
    )
