"""What each action changes on a record, and the sentence its timeline event says.

Each effect takes the record, the cleaned values, the time (and its date in China), the
actor and the item's rules, and returns ``(changes, note)``; it never modifies the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from generator import workdays

from . import deadlines
from .model import Actor, ItemRules
from .rules import (
    ACCEPTED,
    ACTIONS,
    ASSIGNED,
    COMPLETED,
    CORRECTION,
    HANDLING,
    REFUSED,
    REPLIED,
    ROLE_LABELS,
    SUBMITTED,
    VISITED,
)


def _stamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def _due_fields(due: workdays.Due) -> dict[str, Any]:
    return {"due_date": due.date.isoformat(), "due_date_provisional": due.provisional}


def _accept(record, values, now, today, actor, item):
    due = workdays.due_date(today, item.limit)
    note = (
        "已受理（即办件）"
        if item.instant
        else f"已受理，承诺{item.limit.as_text()}内办结，办结期限 {due.date}"
    )
    return {"status": ACCEPTED, "accepted_at": _stamp(now), **_due_fields(due)}, note


def _request_correction(record, values, now, today, actor, item):
    changes: dict[str, Any] = {"status": CORRECTION}
    entry = {
        "requested_at": _stamp(now),
        "materials": values.get("materials", []),
        "note": values.get("note", ""),
    }
    changes["corrections"] = [*record.get("corrections", []), entry]
    parts = [f"{m['name']}" + (f"（{m['note']}）" if m["note"] else "") for m in entry["materials"]]
    note = "请补正：" + "；".join([*parts, *([entry["note"]] if entry["note"] else [])])
    if record.get("accepted_at"):  # during 办理中: the clock pauses
        left = deadlines.pause(dt.date.fromisoformat(record["due_date"]), today)
        changes["clock_paused"] = {"since": today.isoformat(), "working_days_left": left}
        note += "。补正期间办理时限暂停计算"
    return changes, note


def _receive_correction(record, values, now, today, actor, item):
    corrections = [dict(c) for c in record.get("corrections", [])]
    if corrections:
        corrections[-1]["received_at"] = _stamp(now)
    changes: dict[str, Any] = {"corrections": corrections}
    paused = record.get("clock_paused")
    if not record.get("accepted_at"):
        return {**changes, "status": SUBMITTED}, "收到补正材料，等待受理"
    left = paused["working_days_left"] if paused else 0
    due = deadlines.resume(left, today)
    changes |= {"status": HANDLING, "clock_paused": None, **_due_fields(due)}
    return changes, f"收到补正材料，继续办理，办结期限调整为 {due.date}"


def _refuse(record, values, now, today, actor, item):
    changes = {"status": REFUSED, "closed_at": _stamp(now), "refusal_reason": values["reason"]}
    return changes, f"不予受理：{values['reason']}"


def _progress(record, values, now, today, actor, item):
    return {"status": HANDLING}, values["text"]


def _result(values: Mapping[str, Any]) -> dict[str, str]:
    return {"text": values["result"], **({"document": values["document"]} if "document" in values else {})}


def _complete(record, values, now, today, actor, item):
    late = deadlines.deadline_state(record, today)
    changes: dict[str, Any] = {
        "status": COMPLETED,
        "completed_at": _stamp(now),
        "closed_at": _stamp(now),
        "result": _result(values),
        "completed_overdue_days": late.overdue_days if late.state == deadlines.OVERDUE else 0,
        "completed_late": late.state == deadlines.OVERDUE,
    }
    if "overdue_reason" in values:
        changes["overdue_reason"] = _explanation(record, values["overdue_reason"], now, actor)
    return changes, f"已办结：{values['result']}"


def _accept_and_complete(record, values, now, today, actor, item):
    changes = {
        "status": COMPLETED,
        "accepted_at": _stamp(now),
        "completed_at": _stamp(now),
        "closed_at": _stamp(now),
        **_due_fields(workdays.Due(today, False)),
        "result": _result(values),
        "completed_overdue_days": 0,
        "completed_late": False,
    }
    return changes, f"已受理并当场办结：{values['result']}"


def _explanation(record: Mapping[str, Any], reason: str, now: dt.datetime, actor: Actor) -> dict[str, str]:
    return {"reason": reason, "at": _stamp(now), "by": actor.name, "due_date": record["due_date"]}


def _explain_overdue(record, values, now, today, actor, item):
    return {
        "overdue_reason": _explanation(record, values["reason"], now, actor)
    }, f"超期说明：{values['reason']}"


def responsible(record: Mapping[str, Any], item: ItemRules | None) -> dict[str, str]:
    """Who owes the work on ``record`` now: ``{"department": id}`` or ``{"role": id}`` (whom
    a 催告 and the background reminders reach)."""
    if record["kind"] == "application" and item is not None:
        return {"department": item.department}
    if record.get("department"):
        return {"department": record["department"]}
    if record["kind"] == "consultation":  # not yet assigned: the acceptors owe the assignment
        return {"role": "acceptor"}
    return {"role": "supervisor"}  # a complaint nobody holds yet: the supervisors answer complaints


def _remind(record, values, now, today, actor, item):
    reminded = responsible(record, item)
    late = deadlines.deadline_state(record, today)
    entry = {"at": _stamp(now), "by": actor.name, **reminded, "overdue_days": late.overdue_days}
    if late.due is not None:
        entry["due"] = late.due.isoformat()
    whom = f"部门（{reminded['department']}）" if "department" in reminded else ROLE_LABELS[reminded["role"]]
    text = f"已催告{whom}：超过期限 {late.overdue_days} 个工作日"
    return {"reminders": [*record.get("reminders", []), entry]}, text


def _assign(record, values, now, today, actor, item):
    changes = {"status": ASSIGNED, "department": values["department"], "assigned_at": _stamp(now)}
    return changes, f"已分派至部门（{values['department']}）"


def _reply(record, values, now, today, actor, item):
    reply = {"text": values["text"], "at": _stamp(now), "department": record.get("department")}
    return {"status": REPLIED, "reply": reply, "replied_at": _stamp(now)}, "已答复"


def _answer(record, values, now, today, actor, item):
    reply = {"text": values["text"], "at": _stamp(now)}
    return {"status": REPLIED, "reply": reply, "replied_at": _stamp(now)}, "已答复"


def _record_visit(record, values, now, today, actor, item):
    visit = {**values, "at": _stamp(now), "by": actor.name}
    return {"status": VISITED, "return_visit": visit}, f"已回访（{values['method']}）：{values['note']}"


def _close_case(record, values, now, today, actor, item):
    outcome = {**values, "at": _stamp(now), "by": actor.name}
    note = f"{values['outcome']}：{values['text']}" + (
        f"；复核结论：{values['decision']}" if values.get("decision") else ""
    )
    return {"status": COMPLETED, "outcome": outcome, "closed_at": _stamp(now)}, note


def _mark_faq(record, values, now, today, actor, item):
    return {"faq": {"at": _stamp(now), "by": actor.name}}, "已列入常见问题"


EFFECTS = {
    "accept": _accept,
    "request_correction": _request_correction,
    "receive_correction": _receive_correction,
    "refuse": _refuse,
    "progress": _progress,
    "complete": _complete,
    "accept_and_complete": _accept_and_complete,
    "explain_overdue": _explain_overdue,
    "remind": _remind,
    "assign": _assign,
    "reply": _reply,
    "mark_faq": _mark_faq,
    "record_visit": _record_visit,
    "close_case": _close_case,
    "answer": _answer,
}
assert set(EFFECTS) == set(ACTIONS)
