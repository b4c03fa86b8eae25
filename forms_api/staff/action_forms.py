"""The fields of each action's form in the console, as data (rendered by forms/fields.html).

The values are checked by :mod:`forms_api.workflow.values`, which names the same fields; the
limits here are the browser's hint. Two parts are drawn by the record template itself: the
materials to tick for a correction, and the result document's file input.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..fields import Field
from ..workflow.values import MAX_REFERENCE, MAX_TEXT

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
