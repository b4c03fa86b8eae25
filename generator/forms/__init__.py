"""The forms of the public site: what each asks, in what order, with which rules.

One description, built from the catalog's schema, serves both sides: the site renders the
forms from it (generator/templates/forms/), and the forms service validates submissions and
describes its API with it. :mod:`.fields` holds the machinery (a field, a form, its checks).
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.schema import Item
from generator.schema.tables import SATISFACTION_LEVELS

from .fields import Field, Form, one_of, required_when

HONEYPOT = "website"
"""A field hidden from people; anything in it marks the submission as a robot's."""

CONTACT = (
    Field("name", "姓名", max_length=40, autocomplete="name"),
    Field(
        "phone",
        "联系电话",
        kind="tel",
        required=False,
        max_length=30,
        autocomplete="tel",
        help="手机号码或带区号的固定电话",
    ),
    Field("email", "电子邮箱", kind="email", required=False, max_length=100, autocomplete="email"),
)
"""Who wrote a consultation or a complaint, and how to answer them (phone or e-mail)."""

CONSULTATION = Form(
    "consultation",
    (
        *CONTACT,
        Field("item_code", "咨询的事项", kind="hidden", required=False, max_length=80),
        Field("subject", "咨询主题", max_length=60, help="一句话概括，例如“专利质押需要哪些材料”"),
        Field(
            "message",
            "咨询内容",
            kind="textarea",
            max_length=2000,
            help="请写明您的情况和问题，我们会据此答复",
        ),
    ),
    (one_of("phone", "email", message="请至少填写联系电话或电子邮箱中的一项，以便我们答复您"),),
)

COMPLAINT_TYPES = ("投诉", "建议")

COMPLAINT = Form(
    "complaint",
    (
        Field("type", "类别", kind="radio", options=COMPLAINT_TYPES),
        *CONTACT,
        Field("item_code", "涉及的事项", kind="hidden", required=False, max_length=80),
        Field(
            "receipt_no",
            "涉及的办件编号",
            required=False,
            max_length=32,
            help="与某次办理有关的，填写回执上的编号，便于核实",
        ),
        Field("subject", "主题", max_length=60, help="一句话概括，例如“窗口等候时间过长”"),
        Field(
            "message",
            "具体内容",
            kind="textarea",
            max_length=2000,
            help="请写明时间、地点、经过和您的意见或建议，我们会据此核实处理",
        ),
    ),
    (one_of("phone", "email", message="请至少填写联系电话或电子邮箱中的一项，以便我们反馈处理结果"),),
)

APPLICANT_TYPES = ("自然人", "法人", "其他组织")


def _is_person(values: Mapping[str, str]) -> bool:
    return values.get("applicant_type") == "自然人"


def _is_organisation(values: Mapping[str, str]) -> bool:
    return values.get("applicant_type") in ("法人", "其他组织")


APPLICANT = (
    Field("item_code", "申请的事项", kind="hidden", max_length=80),
    Field("applicant_type", "申请人类型", kind="radio", options=APPLICANT_TYPES),
    Field(
        "applicant_name",
        "申请人姓名或名称",
        max_length=100,
        autocomplete="name",
        help="个人填写姓名，单位填写全称",
    ),
    Field(
        "id_number",
        "居民身份证号码",
        kind="id_number",
        required=False,
        max_length=18,
        help="申请人为个人时填写",
    ),
    Field(
        "credit_code",
        "统一社会信用代码",
        kind="credit_code",
        required=False,
        max_length=18,
        help="申请人为单位时填写，18 位",
    ),
    Field(
        "phone",
        "联系电话",
        kind="tel",
        max_length=30,
        autocomplete="tel",
        help="用于接收受理、补正和办结通知",
    ),
    Field("email", "电子邮箱", kind="email", required=False, max_length=100, autocomplete="email"),
)

APPLICANT_RULES = (
    required_when("id_number", _is_person, "申请人为个人时，请填写居民身份证号码"),
    required_when("credit_code", _is_organisation, "申请人为单位时，请填写统一社会信用代码"),
)

_KINDS = {
    "text": "text",
    "textarea": "textarea",
    "number": "number",
    "date": "date",
    "select": "select",
    "email": "email",
    "tel": "tel",
    "checkboxes": "checkboxes",
}


def accepts_applications(item: Item) -> bool:
    """The item takes online applications: offered (``online_application``) and in use."""
    return item.online_application and item.status.state == "在用"


def takes_consultations(item: Item) -> bool:
    """Questions about a cancelled item are not taken with the item chosen."""
    return item.status.state != "取消"


def application_form(item: Item) -> Form:
    """The applicant's details and the item's own fields (the materials are uploads)."""
    own = tuple(
        Field(
            f.id,
            f.label,
            kind=_KINDS[f.type],
            required=f.required,
            max_length=f.max_length,
            options=tuple(f.options),
            pattern=f.pattern,
            help=f.help or "",
        )
        for f in item.application_fields
    )
    return Form(f"application:{item.implementation_code}", (*APPLICANT, *own), APPLICANT_RULES)


LEVELS = tuple(SATISFACTION_LEVELS.entries)
LEVEL_LABELS = tuple(f"{code} {name}" for code, name in SATISFACTION_LEVELS.entries.items())

SUB_INDICATORS = (
    ("efficiency", "办事效率"),
    ("guide_accuracy", "办事指南准确度"),
    ("convenience", "办事便捷度"),
    ("usability", "平台易用性"),
)
"""The online sub-indicators of GB/T 39735 practice (整体满意度 is the rating itself)."""


def _bad(values: Mapping[str, str]) -> bool:
    return values.get("level") in ("4", "5")


RATING = Form(
    "rating",
    (
        Field(
            "receipt_no", "办件编号", required=False, max_length=32, help="评价已办理的服务时填写，在回执上"
        ),
        Field("lookup_code", "查询码", required=False, max_length=16, help="与办件编号一起在回执上"),
        Field("item_code", "评价的事项", kind="hidden", required=False, max_length=80),
        Field("level", "总体评价", kind="radio", options=LEVELS, option_labels=LEVEL_LABELS),
        *(
            Field(name, label, kind="radio", required=False, options=LEVELS, option_labels=LEVEL_LABELS)
            for name, label in SUB_INDICATORS
        ),
        Field(
            "comment",
            "评价内容",
            kind="textarea",
            required=False,
            max_length=500,
            help="不满意时请说明原因，我们会核实整改并回访",
        ),
    ),
    (
        one_of("receipt_no", "item_code", message="请填写办件编号和查询码，或从事项页面评价办事指南"),
        required_when("lookup_code", lambda v: bool(v.get("receipt_no")), "请填写回执上的查询码"),
        required_when("comment", _bad, "请说明不满意的原因，以便我们核实整改并回访"),
    ),
)

LOOKUP = Form(
    "lookup",
    (
        Field("receipt_no", "办件编号", max_length=32, help="回执上的编号，例如 ZX20261124-000001"),
        Field("code", "查询码", max_length=16, help="回执上的 8 位查询码"),
    ),
)

VERIFY = Form(
    "verify",
    (
        Field(
            "receipt_no",
            "办件编号",
            max_length=32,
            pattern=r"[A-Za-z]{2}\d{8}-\d{6}",
            help="回执或结果文书上的编号，例如 ZX20261124-000001",
        ),
        Field(
            "code",
            "核验码",
            max_length=24,
            pattern=r"[A-Za-z0-9]{4}(?:-?[A-Za-z0-9]{4}){3}",
            help="回执或办件进度中的 16 位核验码，例如 ABCD-EFGH-JKLM-NPQR",
        ),
    ),
)
"""文书核验: is this receipt or result document one the platform issued (8.2.6 b)."""

VERIFY_FILE = Form("verify_file", (VERIFY.fields[0],))
"""文书核验 by the result document's file itself (the file is a part of its own)."""

APPOINTMENT = Form(
    "appointment",
    (
        Field("item_code", "预约的事项", kind="hidden", max_length=80),
        Field("point", "办理网点", kind="hidden", max_length=60),
        Field("slot", "预约时段", max_length=16, help="选择一个时段，例如 12月8日（周二）09:00—09:30"),
        Field("name", "姓名", max_length=40, autocomplete="name", help="到窗口办理的人的姓名"),
        Field(
            "id_number",
            "居民身份证号码",
            kind="id_number",
            max_length=18,
            help="到窗口时核对；同一人同一事项只能有一个有效预约",
        ),
        Field("phone", "手机号码", kind="tel", max_length=30, autocomplete="tel", help="用于接收预约提醒"),
    ),
)
"""预约办理 (E.4.5): a window appointment for an item at a service point."""

APPOINTMENT_CHANGE = Form(
    "appointment_change",
    (
        Field("receipt_no", "预约编号", max_length=32, help="预约回执上的编号，例如 YY20261207-000001"),
        Field("code", "查询码", max_length=16, help="预约回执上的 8 位查询码"),
        Field("slot", "新的预约时段", required=False, max_length=16, help="改约时选择；取消预约不用选"),
    ),
)
"""Cancelling or moving an appointment with the receipt's number and lookup code."""

REGISTRATION = Form(
    "registration",
    (
        Field("event", "报名的活动", kind="hidden", max_length=80),
        Field("name", "姓名", max_length=40, autocomplete="name"),
        Field(
            "organisation",
            "单位",
            required=False,
            max_length=100,
            autocomplete="organization",
            help="以个人身份参加的不填",
        ),
        Field(
            "phone",
            "手机号码",
            kind="tel",
            max_length=30,
            autocomplete="tel",
            help="用于报名确认、候补递补和活动提醒",
        ),
    ),
)
"""培训讲座报名 (F.1.4): one registration per phone number per event."""

REGISTRATION_CANCEL = Form(
    "registration_cancel",
    (
        Field("receipt_no", "报名编号", max_length=32, help="报名回执上的编号，例如 BM20261207-000001"),
        Field("code", "查询码", max_length=16, help="报名回执上的 8 位查询码"),
    ),
)
