"""``catalog/items/<slug>.yml``: one service item.

An item joins the columns of annex A (事项清单) and annex B (实施清单) with the guide
elements of GB/T 39046 (办事指南). The file name is the item's slug, used in its page URL.
"""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .common import Change, Contact, LegalBasis, TimeLimit
from .types import (
    CaseTypeCode,
    Count,
    ExerciseLevelCode,
    FilePath,
    FormFieldType,
    HandlingFormCode,
    HandlingScope,
    Identifier,
    ItemState,
    ItemTypeCode,
    MaterialForm,
    Nature,
    Prose,
    ServiceForm,
    ServiceObjectCode,
    Slug,
    Subject,
    Term,
    Text,
    UploadType,
    Url,
    Version,
    patterned,
)

FeeReference = patterned(
    r"[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*",
    hint="，应写成“收费标准标识/收费项目标识”，例如 cnipa-patent/invention-application",
)


class Step(CatalogModel):
    """One step of 办理流程."""

    name: Text = field("环节名称", "这一步叫什么。", example="受理")
    actor: Text = field("办理人员或岗位", "由谁办理。", example="综合受理窗口")
    duration: TimeLimit | None = field("环节时限", "这一步最长用时。", default=None)
    description: Text = field("办理内容", "这一步做什么、办事人需要做什么。")


class Material(CatalogModel):
    """One row of 申请材料."""

    id: Identifier = field(
        "材料标识",
        "英文标识，在线申请时作为上传字段名，同一事项内不得重复。",
        example="pledge_contract",
    )
    name: Text = field("材料名称", "材料的正式名称。", example="专利权质押合同")
    source: Text = field("出具机构", "材料由谁提供或出具。", example="申请人自备")
    form: MaterialForm = field("材料形式", "纸质、电子、纸质或电子、纸质和电子。", example="纸质或电子")
    originals: Count = field("原件份数", "需提交原件的份数，不需要原件填 0。", example=1)
    copies: Count = field("复印件份数", "需提交复印件的份数，不需要复印件填 0。", example=0)
    required: bool = field("是否必备", "true 表示必须提交；false 表示按情形提交。", example=True)
    condition: Prose | None = field(
        "提交情形", "非必备材料在什么情形下需要提交。", example="委托代理机构办理的", default=None
    )
    requirements: Text = field(
        "材料要求", "对材料的具体要求：签章、有效期、格式等。", example="须由出质人和质权人签字或盖章。"
    )
    acceptance_standard: Prose | None = field("受理标准", "窗口核验这份材料的标准。", default=None)
    blank_form: FilePath | None = field(
        "空表",
        "可下载的空白表格，相对于 catalog/files/ 的路径。",
        example="patent-pledge/质押登记申请表.docx",
        default=None,
    )
    sample_form: FilePath | None = field(
        "样表",
        "填写示范，相对于 catalog/files/ 的路径。",
        example="patent-pledge/质押登记申请表（样表）.pdf",
        default=None,
    )
    online_exempt: bool = field(
        "网上申请免交", "在线申请时由网上表单代替、无需上传（如申请表）。", example=False, default=False
    )
    upload_types: list[UploadType] = field(
        "允许上传的文件类型",
        "在线申请时可上传的文件类型。",
        example=["pdf", "jpg", "png"],
        default_factory=lambda: ["pdf"],
    )
    max_size_mb: int | None = field(
        "文件大小上限（MB）",
        "单个文件的大小上限；不填时使用平台设置。",
        example=10,
        default=None,
        ge=1,
        le=100,
    )


class FormField(CatalogModel):
    """An item's own field on the online application form."""

    id: Identifier = field("字段标识", "英文标识，作为表单字段名提交。", example="patent_number")
    label: Text = field("字段名称", "表单上显示的名称。", example="专利号")
    type: FormFieldType = field(
        "字段类型", "单行文本、多行文本、数字、日期、下拉选择等。", example="text", default="text"
    )
    required: bool = field("是否必填", "申请人是否必须填写。", example=True, default=True)
    options: list[Text] = field(
        "可选项", "下拉选择的选项。", example=["发明", "实用新型", "外观设计"], default_factory=list
    )
    max_length: int = field("最大长度", "最多可填多少个字符。", example=100, default=200, ge=1, le=5000)
    pattern: Prose | None = field(
        "格式", "填写内容应符合的正则表达式。", example=r"^ZL\d{12}\.[\dX]$", default=None
    )
    help: Prose | None = field(
        "填写说明", "显示在字段下方的提示。", example="如 ZL202310000000.1", default=None
    )


class FeeItem(CatalogModel):
    fee: FeeReference = field(
        "收费项目",
        "引用的收费项目，写成“收费标准标识/收费项目标识”。",
        example="cnipa-patent/invention-application",
    )
    quantity: int = field("数量", "常见情形下的件数、类数、页数等。", example=1, default=1, ge=1)
    tier_at: int | None = field(
        "分档取值", "分档收费时，常见情形落在第几年、第几页或第几项。", example=1, default=None, ge=1
    )
    online: bool = field(
        "按网上申请金额",
        "常见情形按网上申请金额计算（收费项目须有网上申请金额）。",
        example=False,
        default=False,
    )
    note: Prose | None = field("说明", "这项费用何时缴纳。", default=None)


class Charges(CatalogModel):
    free: bool = field("是否免费", "true 表示不收取任何费用。", example=True)
    items: list[FeeItem] = field("收费项目", "收费时列出涉及的收费项目。", default_factory=list)
    common_case: Prose | None = field(
        "常见情形",
        "费用示例计算所依据的常见情形。",
        example="个人申请一件发明专利，权利要求不超过 10 项。",
        default=None,
    )
    reduction: FeeReference | None = field(
        "示例适用的减缴",
        "常见情形适用的减缴政策，写成“收费标准标识/减缴标识”。",
        example="cnipa-patent/individual-85",
        default=None,
    )
    note: Prose | None = field(
        "收费说明", "例如“本中心不收取服务费，官方费用直接向国家知识产权局缴纳”。", default=None
    )


class Place(CatalogModel):
    name: Text = field("办理地点名称", "窗口或场所的名称。", example="市民服务中心知识产权综合窗口")
    address: Text = field(
        "地址", "详细地址。", example="示范市滨江大道 88 号市民服务中心 3 楼 A 区 12 号窗口"
    )
    hours: Prose | None = field("办理时间", "与平台开放时间不同时填写。", default=None)
    note: Prose | None = field("说明", "交通、停车等提示。", default=None)
    point: Slug | None = field(
        "服务网点",
        "这个地点在服务网点（service-points.yml）中的标识：网点页面列出在这里可办的事项，办事指南链接到网点页面。",
        example="civic-center-window-8",
        default=None,
    )


class Supports(CatalogModel):
    appointment: bool = field("支持预约", "是否可以预约办理。", default=False)
    online_payment: bool = field("支持网上支付", "是否可以网上缴费。", default=False)
    express: bool = field("支持物流快递", "材料和结果是否可以快递。", default=False)


class Result(CatalogModel):
    name: Text = field("结果名称", "办结后申请人得到什么。", example="专利权质押登记通知书")
    sample: FilePath | None = field("结果样本", "结果样本文件，相对于 catalog/files/ 的路径。", default=None)
    delivery: Prose | None = field(
        "送达方式", "结果如何交到申请人手中。", example="窗口领取或邮寄送达", default=None
    )


class Faq(CatalogModel):
    question: Text = field("问题", "办事群众常问的问题。")
    answer: Text = field("解答", "对问题的答复。")


class Status(CatalogModel):
    state: ItemState = field("事项状态", "在用、暂停或取消。", example="在用")
    effective_date: dt.date = field("生效日期", "事项开始提供服务的日期。", example="2024-07-10")
    suspended_from: dt.date | None = field("暂停开始日期", "状态为暂停时填写。", default=None)
    suspended_until: dt.date | None = field("预计恢复日期", "状态为暂停时可填写。", default=None)
    cancelled_on: dt.date | None = field("取消日期", "状态为取消时填写。", default=None)
    replaced_by: Slug | None = field(
        "替代事项", "状态为取消时，接替它的事项的标识（文件名）。", example="patent-pledge", default=None
    )
    reason: Prose | None = field("原因", "暂停或取消的原因，会显示在事项页面上。", default=None)


class Item(CatalogModel):
    # Annex A: 事项清单
    name: Text = field("事项名称", "事项的规范名称。", example="专利权质押登记")
    basic_code: Text = field(
        "基本编码", "事项基本编码，格式见 platform.yml 的编码规则。", example="20D1000001"
    )
    implementation_code: Text = field(
        "实施编码", "事项实施编码，以基本编码开头。", example="20D1000001-339900000000-12339900MB0000002X-01"
    )
    category: Slug = field(
        "事项类别", "所属名录条目的标识（见 directories/basic.yml 和 value-added.yml）。", example="ip-pledge"
    )
    item_type: ItemTypeCode = field("事项类型", "GB/T 39046 代码，公共服务事项为 20。", example="20")
    exercise_level: ExerciseLevelCode = field("行使层级", "GB/T 39046 代码，市级为 3。", example="3")
    service_objects: list[ServiceObjectCode] = field(
        "服务对象",
        "GB/T 39046 代码：1 自然人，2 企业法人，3 事业法人，4 社会组织法人，5 行政机关，6 其他组织。",
        example=["1", "2"],
        min_length=1,
    )
    subjects: list[Subject] = field("服务客体", "专利、商标、著作权等。", example=["专利"], min_length=1)
    nature: Nature = field("服务性质", "基础或个性化增值，须与事项类别所在名录一致。", example="基础")
    content: Text = field("服务内容", "这项服务为办事人做什么。")
    service_form: ServiceForm = field("服务形式", "线上、线下或线上线下。", example="线上线下")
    handling_forms: list[HandlingFormCode] = field(
        "办理形式",
        "GB/T 39046 代码：1 窗口办理，2 电脑端网上办理，3 移动端网上申请，4 快递申请，9 其他。",
        example=["1", "2"],
        min_length=1,
    )
    department: Slug = field(
        "实施部门", "负责办理的部门标识（见 departments.yml）。", example="ip-protection-center"
    )

    # Annex B: 实施清单 and the guide elements
    co_departments: list[Slug] = field("共同实施部门", "共同办理的部门标识。", default_factory=list)
    undertaking_org: Prose | None = field(
        "承办机构", "具体承办的内设机构。", example="质押登记科", default=None
    )
    legal_basis: list[LegalBasis] = field("设定依据", "事项设立的法律法规和文件依据。", min_length=1)
    acceptance_conditions: list[Text] = field("受理条件", "满足哪些条件才能申请，每行一条。", min_length=1)
    intermediary: Prose | None = field("中介服务", "办理是否需要中介服务。", example="无", default=None)
    quantity_limit: Prose | None = field("数量限制", "申请数量上的限制。", example="无数量限制", default=None)
    process: list[Step] = field("办理流程", "按顺序列出的办理环节。", min_length=1)
    special_procedures: Prose | None = field("特别程序", "如现场核查、专家评审，及其所需时间。", default=None)
    legal_time_limit: TimeLimit | None = field(
        "法定办结时限",
        "法律、法规、规章或规范性文件规定的办结时限；未作规定的不填，页面显示“法律法规未规定”。",
        default=None,
    )
    promised_time_limit: TimeLimit = field("承诺办结时限", "本平台承诺的办结时限，不得超过法定时限。")
    case_type: CaseTypeCode = field("办件类型", "1 即办件，2 承诺件，9 其他。", example="2")
    result: Result | None = field("办理结果", "办结后申请人得到的结果。", default=None)
    scope: HandlingScope | None = field(
        "通办范围", "全国、跨省、跨市、跨县或不通办。", example="跨市", default=None
    )
    supports: Supports = field("便利服务", "是否支持预约、网上支付、物流快递。", default_factory=Supports)
    online_application: bool = field("接受网上申请", "true 表示可在本站在线提交申请和材料。", example=True)
    online_url: Url | None = field("网办地址", "外部网上办理入口（若在其他平台办理）。", default=None)
    application_fields: list[FormField] = field(
        "申请表字段", "在线申请时除申请人信息外还需填写的事项字段。", default_factory=list
    )
    materials: list[Material] = field("申请材料", "需要提交的材料，每份一行。", default_factory=list)
    fees: Charges = field("收费", "是否收费，收费的列出引用的收费项目。")
    places: list[Place] = field(
        "办理地点", "可以办理的窗口或场所；只在网上办理的事项可不填。", default_factory=list
    )
    hours: Prose | None = field("办理时间", "与平台开放时间不同时填写。", default=None)
    consultation: Contact = field("咨询方式", "咨询电话、邮箱、地址等。")
    supervision: Contact = field("监督投诉方式", "监督投诉电话、邮箱等。")
    faqs: list[Faq] = field("常见问题", "常见问题与解答。", default_factory=list)
    keywords: list[Term] = field("检索关键词", "群众可能搜索的词，例如“质押”“融资”。", default_factory=list)
    aliases: list[Term] = field("别名", "事项的俗称或简称，例如“软著”。", default_factory=list)
    related: list[Slug] = field("相关事项", "相关事项的标识（文件名）。", default_factory=list)
    status: Status = field("事项状态", "在用、暂停或取消，以及相关日期。")
    version: Version = field("事项版本", "当前版本号，须与最新一条变更记录一致。", example="1.2")
    changes: list[Change] = field("变更记录", "事项的变更历史，按时间从早到晚（8.2.2）。", min_length=1)
