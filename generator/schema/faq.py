"""``catalog/faq.yml``: the 咨询问答手册 (T/CIPS 007—2024 annex F, table F.1, 服务咨询 b).

Questions people asked through the consultation service, with the answers the centre gave,
as an editor polished them for publication. ``ipps faq export`` appends the consultations
staff marked as FAQ candidates; the editor rewrites question and
answer so that they read well and name no one, and publishes them through a pull request.
"""

from __future__ import annotations

import datetime as dt

from .base import CatalogModel, field
from .types import Prose, Slug, Text, patterned

CONSULTATION_RECEIPT = r"ZX\d{8}-\d{6}"
"""A consultation's receipt number (the service's numbering: prefix ZX, date, number of the day)."""


def receipt_day(receipt_no: str) -> dt.date | None:
    """The day a receipt number was given out (its digits 3–10), or None if they are no date."""
    try:
        return dt.datetime.strptime(receipt_no[2:10], "%Y%m%d").date()
    except ValueError:
        return None


ReceiptNumber = patterned(
    CONSULTATION_RECEIPT,
    hint="，应为咨询留言的办件编号，例如 ZX20261124-000123",
    extra=lambda v: None if receipt_day(v) else "中的日期不存在，应为咨询留言的办件编号",
)


class FaqEntry(CatalogModel):
    """One question and its answer in the handbook."""

    question: Text = field(
        "问题", "群众提出的问题，整理成通顺、不含个人信息的一句或一段话。", example="专利质押登记要多长时间？"
    )
    answer: Text = field(
        "解答",
        "对问题的答复，写给所有有同样疑问的人看。",
        example="材料齐全、符合要求的，自受理之日起 5 个工作日内办结。",
    )
    item: Slug | None = field(
        "所属事项",
        "问题涉及的事项的标识（items/ 下的文件名，不含 .yml）；不针对某个事项的综合问题不填。",
        example="patent-pledge",
        default=None,
    )
    topic: Prose | None = field(
        "问题分类", "便于查找的分类，例如“材料”“费用”“时限”。", example="材料", default=None
    )
    source: ReceiptNumber = field(
        "来源办件编号",
        "问题来自哪条咨询留言（办件编号），同一条咨询只能收录一次。",
        example="ZX20261124-000123",
    )
    published: dt.date = field("发布日期", "收录进问答手册的日期，格式 YYYY-MM-DD。", example="2026-11-25")
    hidden: bool = field(
        "不公开",
        "true 表示不在网站上显示：决定不收录的咨询保留在文件中并标为 true，以后导出时也不会再次添加。",
        example=True,
        default=False,
    )


class FaqFile(CatalogModel):
    faqs: list[FaqEntry] = field(
        "问答", "咨询问答手册收录的问题和解答，按希望显示的顺序排列。", default_factory=list
    )
