"""What an applicant is told when their application or consultation changes status.

:func:`build_notice` turns a stored record (see :mod:`forms_api.domain.submissions`) and an
event (:data:`EVENTS`) into a :class:`Notice`: a subject and body for e-mail and a shorter
text for SMS, in Chinese. A notice names the receipt number, the item and what the applicant
has to do; it never carries the lookup code (the record holds only its keyed hash, and a
notice may be read by whoever sees the mailbox or the phone) nor an ID number (the record
keeps it encrypted and masked; neither is used). The recipient's phone is stored encrypted,
so the caller decrypts it and passes it in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EVENTS: dict[str, str] = {
    "accepted": "已受理",
    "correction": "需补正",
    "rejected": "不予受理",
    "in_progress": "办理中",
    "completed": "已办结",
    "replied": "已答复",
    "appointment_reminder": "预约提醒",
    "registration_promoted": "候补转正",
}
"""The status changes that send a notice, with the status they stand for."""

PLATFORM_NAME = "知识产权公共服务平台"


class NoticeError(ValueError):
    """A notice that cannot be built (unknown event, missing reason); the message is Chinese."""


@dataclass(frozen=True)
class Notice:
    """What one applicant is told about one status change."""

    receipt_no: str
    event: str
    subject: str
    body: str
    sms: str
    """The short form of ``body`` for a text message."""
    email: str = ""
    phone: str = ""


def build_notice(
    record: Mapping[str, Any],
    event: str,
    *,
    phone: str = "",
    problems: Sequence[str] = (),
    reason: str = "",
    reply: str = "",
    platform_name: str = PLATFORM_NAME,
) -> Notice:
    """The notice of ``event`` (a key of :data:`EVENTS`) for ``record``.

    ``phone`` is the recipient's phone, decrypted by the caller; ``problems`` what must be
    corrected (``correction``), ``reason`` why the application is not accepted (``rejected``),
    ``reply`` the answer to a consultation (``replied``; default: the record's ``reply.text``).
    """
    if event not in EVENTS:
        raise NoticeError(f"未知的通知事件「{event}」，应为：{'、'.join(EVENTS)}")
    receipt_no = str(record.get("receipt_no", ""))
    kind = record.get("kind")
    consultation = kind in ("consultation", "complaint")  # the person's fields are the record's own
    person = (
        record if consultation or kind in ("appointment", "registration") else record.get("applicant") or {}
    )
    name = str(person.get("name", "")).strip()
    email = str(person.get("email", "") or "").strip()
    item = (record.get("item") or {}).get("name", "")
    verb = "提出" if kind == "complaint" else "咨询"
    what = f"您{verb}的“{record.get('subject', '')}”" if consultation else f"您申请的“{item}”"
    greeting = f"{name}：您好！" if name else "您好！"
    problems = [p.strip() for p in problems if p and p.strip()]
    reason = reason.strip()

    if event == "correction" and not problems:
        raise NoticeError("需补正通知须列出需要补正的内容")
    if event == "rejected" and not reason:
        raise NoticeError("不予受理通知须说明理由")
    if event == "replied":
        stored = record.get("reply")
        reply = (reply or (stored.get("text", "") if isinstance(stored, Mapping) else "")).strip()

    status = EVENTS[event]
    lines: list[str]
    if event == "accepted":
        lines = [f"{what}（办件编号 {receipt_no}）已受理，我们将在承诺时限内办理。"]
        if record.get("due_date"):
            lines.append(f"预计办结日期：{record['due_date']}。")
        sms = f"{what}（{receipt_no}）已受理。"
    elif event == "correction":
        lines = [f"{what}（办件编号 {receipt_no}）需要补正以下材料或内容："]
        lines += [f"{number}. {problem}" for number, problem in enumerate(problems, start=1)]
        lines.append("请在网上查询办件进度后按要求补正；补正后我们将继续办理。")
        sms = f"{what}（{receipt_no}）需补正 {len(problems)} 项内容，详见邮件或网上查询。"
    elif event == "rejected":
        lines = [f"{what}（办件编号 {receipt_no}）经审查不予受理。", f"理由：{reason}"]
        lines.append("如有疑问，可来电咨询，或依法申请行政复议、提起行政诉讼。")
        sms = f"{what}（{receipt_no}）不予受理，理由：{reason}"
    elif event == "in_progress":
        lines = [f"{what}（办件编号 {receipt_no}）正在办理中。"]
        sms = f"{what}（{receipt_no}）正在办理中。"
    elif event == "completed":
        lines = [f"{what}（办件编号 {receipt_no}）已办结。", "欢迎对本次服务进行评价。"]
        sms = f"{what}（{receipt_no}）已办结，欢迎评价。"
    elif event == "appointment_reminder":
        where, when = record.get("point_name", ""), record.get("slot_label", "")
        lines = [
            f"您预约了 {when} 在{where}办理“{item}”（预约编号 {receipt_no}）。",
            "请携带本人居民身份证和办事指南列出的材料，提前 10 分钟到达。",
            "不能按时前往的，请用预约编号和查询码在网上取消或改约。",
        ]
        sms = f"您预约了{when}在{where}办理“{item}”（{receipt_no}），请按时携带身份证和材料前往。"
    elif event == "registration_promoted":
        title = record.get("event_title", "")
        lines = [
            f"有人取消了报名，您报名的“{title}”已由候补转为正式报名（报名编号 {receipt_no}）。",
            "请按时参加；不能参加的，请在网上取消报名，把名额留给其他人。",
        ]
        sms = f"您报名的“{title}”已由候补转为正式报名（{receipt_no}），请按时参加。"
    else:  # replied
        lines = [f"{what}（编号 {receipt_no}）已有答复。"]
        lines += [f"答复内容：{reply}"] if reply else ["请在网上查询查看答复内容。"]
        lines.append("欢迎对本次服务进行评价。")
        sms = f"{what}（{receipt_no}）已答复，详见邮件或网上查询。"

    body = "\n".join(
        [
            greeting,
            "",
            *lines,
            "",
            "查询办件进度请使用办件编号和提交时取得的查询码（查询码请妥善保管，本通知不含查询码）。",
            "本邮件由系统自动发送，请勿直接回复。",
            "",
            platform_name,
        ]
    )
    return Notice(
        receipt_no=receipt_no,
        event=event,
        subject=f"【{platform_name}】办件 {receipt_no} {status}",
        body=body,
        sms=f"【{platform_name}】{sms}",
        email=email,
        phone=phone.replace(" ", ""),
    )
