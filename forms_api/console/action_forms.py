"""The fields of each action's form in the console, as data (rendered by forms/fields.html).

The values are checked by :mod:`forms_api.domain.workflow.values`, which names the same fields; the
limits here are the browser's hint. Two parts are drawn by the record template itself: the
materials to tick for a correction, and the result document's file input.
"""

from __future__ import annotations

from collections.abc import Mapping

from forms_api.domain.workflow.rules import OUTCOMES
from forms_api.domain.workflow.values import MAX_REFERENCE, MAX_TEXT, SATISFACTION, VISIT_METHODS
from generator.forms import LEVEL_LABELS
from generator.forms.fields import Field

NOTE = Field("note", "说明", kind="textarea", required=False, max_length=MAX_TEXT)

FIELDS: Mapping[str, tuple[Field, ...]] = {
    "accept": (NOTE,),
    "request_correction": (
        Field(
            "note",
            "其他需要补正的内容",
            kind="textarea",
            required=False,
            max_length=MAX_TEXT,
            help="材料以外需要更正的信息；与上面勾选的材料一起一次性告知申请人",
        ),
    ),
    "refuse": (
        Field(
            "reason",
            "不予受理的理由",
            kind="textarea",
            max_length=MAX_TEXT,
            help="申请人会在通知和进度查询中看到理由",
        ),
    ),
    "progress": (
        Field(
            "text",
            "办理进度",
            kind="textarea",
            max_length=MAX_TEXT,
            help="例如：已完成审查，正在制作登记证书",
        ),
    ),
    "complete": (
        Field(
            "result", "办理结果", kind="textarea", max_length=MAX_TEXT, help="申请人会在通知和进度查询中看到"
        ),
        Field("document", "结果文书编号", required=False, max_length=MAX_REFERENCE),
    ),
    "accept_and_complete": (
        Field("result", "办理结果", kind="textarea", max_length=MAX_TEXT),
        Field("document", "结果文书编号", required=False, max_length=MAX_REFERENCE),
    ),
    "explain_overdue": (Field("reason", "超期原因", kind="textarea", max_length=MAX_TEXT),),
    "remind": (NOTE,),
    "reply": (
        Field(
            "text",
            "答复内容",
            kind="textarea",
            max_length=MAX_TEXT,
            help="留言人会在通知和进度查询中看到答复",
        ),
    ),
    "mark_faq": (NOTE,),
    "record_visit": (
        Field("method", "回访方式", kind="radio", options=VISIT_METHODS),
        Field("satisfaction", "回访满意度", kind="radio", options=SATISFACTION, option_labels=LEVEL_LABELS),
        Field(
            "note", "回访情况", kind="textarea", max_length=MAX_TEXT, help="评价人反映的问题、对处理的意见"
        ),
    ),
    "close_case": (
        Field("outcome", "处理结果", kind="radio", options=OUTCOMES),
        Field("text", "处理说明", kind="textarea", max_length=MAX_TEXT, help="整改了什么，或作出的解释说明"),
        Field(
            "decision",
            "复核结论",
            kind="textarea",
            required=False,
            max_length=MAX_TEXT,
            help="申诉复核的，写明复核结论（维持或撤销差评及理由）",
        ),
    ),
    "answer": (
        Field(
            "text", "答复内容", kind="textarea", max_length=MAX_TEXT, help="提出人会在通知和进度查询中看到"
        ),
    ),
}

OVERDUE_REASON = Field(
    "overdue_reason", "超期原因", kind="textarea", max_length=MAX_TEXT, help="办件已超期，办结时须说明原因"
)


def assign_field(departments: Mapping[str, str]) -> Field:
    """The department to assign a consultation to, from the catalog's departments."""
    return Field(
        "department",
        "承办部门",
        kind="select",
        options=tuple(departments),
        option_labels=tuple(departments.values()),
    )
