"""``catalog/guides/*.yml``: 智能导办 (T/CIPS 007—2024 E.1.3, E.4.3, E.4.5 问答式引导).

A guide is a small decision tree for one topic ("我想申请专利"): a question with choices, each
choice leading to the next question or to a result. A result names the item(s) to apply for,
the materials this applicant needs for the answers given (a material can depend on an
answer), and the fee that applies, worked out with the reduction the answers qualify for.
The site renders every path as a static page, so a guide works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .base import CatalogModel, field
from .items import FeeItem, FeeReference
from .types import Identifier, Prose, Slug, Text


def _answers(description: str, example: str) -> Any:
    """The ``when`` field: the answers (choice ids) on which a material, fee or reduction applies."""
    return field("适用的回答", description, example=[example], default_factory=list)


class GuideChoice(CatalogModel):
    id: Slug = field(
        "选项标识",
        "英文标识，在本导办内唯一；出现在网址中，也用于材料和减缴的“适用的回答”。",
        example="individual",
    )
    label: Text = field("选项", "群众看到的回答。", example="个人")
    short: Text | None = field(
        "简称",
        "回答较长时的简短说法，用在页面标题中区分不同回答的页面；不填用选项本身。",
        example="发明专利",
        default=None,
    )
    hint: Prose | None = field(
        "选项说明", "帮助判断是否选这一项的说明。", example="上年度月均收入低于 5000 元", default=None
    )
    next: Slug = field("下一步", "选了这一项之后的问题或结果的标识。", example="reduction")


class GuideQuestion(CatalogModel):
    id: Slug = field("问题标识", "英文标识，在本导办内唯一。", example="applicant")
    text: Text = field("问题", "问群众的一个问题，一次只问一件事。", example="谁来申请？")
    hint: Prose | None = field("问题说明", "回答前需要知道的说明。", default=None)
    choices: list[GuideChoice] = field(
        "选项", "可选的回答，至少两项；每项指向下一个问题或一个结果。", min_length=2
    )


class GuideMaterial(CatalogModel):
    item: Slug = field("所属事项", "材料所属事项的标识。", example="patent-application-guidance")
    material: Identifier = field("材料", "该事项申请材料中的材料标识。", example="request_form")
    when: list[Slug] = _answers(
        "选过其中任一回答（选项标识）时才需要这份材料；不填表示都需要。", "individual"
    )


class GuideFee(CatalogModel):
    reduction: FeeReference | None = field(
        "适用的减缴",
        "写成“收费标准标识/减缴标识”；不填表示不减缴。",
        example="cnipa-patent/individual-85",
        default=None,
    )
    when: list[Slug] = _answers(
        "选过其中任一回答时按这一条计费；按顺序取第一条符合的，不填的一条兜底。", "individual"
    )


class GuideCharge(FeeItem):
    when: list[Slug] = _answers("选过其中任一回答时才缴这一项；不填表示都要缴。", "invention")


class GuideResult(CatalogModel):
    id: Slug = field("结果标识", "英文标识，在本导办内唯一。", example="apply-invention")
    title: Text = field("结果", "告诉群众该办什么。", example="您需要办理：发明专利申请")
    summary: Prose | None = field("结果说明", "办理前需要知道的要点。", default=None)
    items: list[Slug] = field(
        "办理事项",
        "要办理的事项（items/ 下的文件名，不含 .yml），第一项是主要事项：在线申请、预约和咨询都指向它。",
        example=["patent-application-guidance"],
        min_length=1,
    )
    materials: list[GuideMaterial] = field(
        "需要的材料",
        "按回答列出需要准备的材料；不填时列出各事项的全部必需材料。",
        default_factory=list,
    )
    charges: list[GuideCharge] = field(
        "应缴费用",
        "这一结果要缴的收费项目和数量（与事项的“收费项目”写法相同，可按回答列出）；不收费的不填。",
        default_factory=list,
    )
    fees: list[GuideFee] = field("费用减缴", "按回答适用的减缴；不填表示按全额计算。", default_factory=list)


class Guide(CatalogModel):
    """One 导办 topic (``catalog/guides/<id>.yml``)."""

    title: Text = field("导办名称", "群众想办的事，用群众的话说。", example="我想申请专利（费用减缴？）")
    summary: Text = field("导办说明", "一两句话说明回答几个问题后能得到什么。")
    start: Slug = field("第一个问题", "从哪个问题开始（问题标识）。", example="kind")
    questions: list[GuideQuestion] = field("问题", "导办中的问题。", min_length=1)
    results: list[GuideResult] = field("结果", "导办能给出的结果。", min_length=1)
    order: int = Field(
        100, title="排列顺序", description="在导办列表中的顺序，小的在前。", ge=0, examples=[10]
    )
