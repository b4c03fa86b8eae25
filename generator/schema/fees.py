"""``catalog/fees/*.yml``: official fee standards (8.3.2 d) and their reductions."""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .common import LegalBasis
from .types import FeeUnit, Money, Prose, Slug, Text, Url


class Tier(CatalogModel):
    """A band of a tiered fee: years of protection, pages, claims."""

    start: int = field("起始", "本档从第几（年、页、项）开始，含本数。", example=1, ge=1)
    end: int | None = field(
        "截止", "本档到第几为止，含本数；最后一档不填表示不封顶。", example=3, default=None, ge=1
    )
    amount: Money = field("金额（元）", "本档每单位的金额。", example=900)


class Fee(CatalogModel):
    id: Slug = field(
        "收费项目标识", "英文标识，事项通过“标准标识/收费项目标识”引用。", example="invention-application"
    )
    name: Text = field("收费项目名称", "收费项目的正式名称。", example="发明专利申请费")
    amount: Money | None = field(
        "金额（元）", "固定金额；分档收费时不填，改填“分档金额”。", example=900, default=None
    )
    online_amount: Money | None = field(
        "网上申请金额（元）",
        "网上申请适用的金额（如商标网上申请），与纸质不同时填写。",
        example=270,
        default=None,
    )
    tiers: list[Tier] = field(
        "分档金额", "按年度、页数、项数分档的金额，档次从小到大、不得重叠。", default_factory=list
    )
    unit: FeeUnit = field("计费单位", "每件、每类、每页、每项、每年等。", example="件")
    conditions: Prose | None = field(
        "适用条件",
        "何时需要缴纳这项费用。",
        example="权利要求超过 10 项的，从第 11 项起每项加收。",
        default=None,
    )
    note: Prose | None = field("说明", "补充说明。", default=None)
    late_fee: Prose | None = field(
        "滞纳金", "逾期缴纳的规则。", example="每逾期一个月加收当年年费的 5%，最多 25%。", default=None
    )


class Reduction(CatalogModel):
    id: Slug = field("减缴标识", "英文标识。", example="individual-85")
    name: Text = field("减缴名称", "减缴情形的名称。", example="个人或小微企业单独申请")
    percent_off: int = field("减缴比例（%）", "减缴的百分比，85 表示按 15% 缴纳。", example=85, ge=1, le=100)
    applies_to: list[Slug] = field(
        "适用收费项目", "可以减缴的收费项目标识。", example=["invention-application"], min_length=1
    )
    conditions: Text = field("减缴条件", "谁可以申请、需要什么证明。")
    note: Prose | None = field("说明", "例如年费减缴的年限。", default=None)


class FeeStandard(CatalogModel):
    name: Text = field("收费标准名称", "收费标准的标题。", example="专利收费标准")
    issuer: Text = field("收费单位", "收取费用的机关。", example="国家知识产权局")
    basis: list[LegalBasis] = field("收费依据", "批准收费标准的文件。", min_length=1)
    source_url: Url = field("来源网址", "公布收费标准的官方网页。", example="https://www.cnipa.gov.cn/")
    effective_date: dt.date = field("生效日期", "本收费标准的执行日期。", example="2017-07-01")
    verified_on: dt.date = field("核对日期", "编辑最近一次对照官方公告核对金额的日期。", example="2026-10-15")
    currency_note: Prose | None = field("说明", "关于币种、缴费渠道的补充说明。", default=None)
    fees: list[Fee] = field("收费项目", "本标准的收费项目。", min_length=1)
    reductions: list[Reduction] = field("减缴政策", "费用减缴的情形。", default_factory=list)

    def fee(self, fee_id: str) -> Fee | None:
        return next((f for f in self.fees if f.id == fee_id), None)
