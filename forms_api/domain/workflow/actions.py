"""Applying one staff (or applicant) action to a record: check it, then say what changes.

:func:`apply` is pure: it takes the stored record (never modified), the action, who acts,
what they entered, the time and the item's rules, and returns an :class:`Outcome` — the
fields to set and the timeline event to append — or raises :class:`Refused` (the action is
not possible here: wrong state, role, department or moment; one Chinese sentence) or
:class:`Invalid` (what was entered is incomplete; Chinese messages by field, all at once,
the same exception the submission forms raise). Storing the outcome, and doing it only if
the record has not changed meanwhile, is the caller's business.

Checks run from the most general to the most specific, so the message names the first
reason that applies: the role may never take the action; the record's state does not allow
it (the message names the state and the action); the role may take it, but not in this
state; the record is not of the handler's departments; the moment is wrong (not overdue, not
a 即办件, already in the FAQ); then the entered values.

Where a correction returns to: asked for before acceptance, the corrected application is
simply 已提交 again and waits for acceptance (the clock has not started); asked for during
办理中, it returns to 办理中 and the paused clock resumes (see :mod:`.deadlines`). The record
tells which: only an accepted application has ``accepted_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from generator import workdays

from . import deadlines
from .effects import EFFECTS
from .model import Actor, ItemRules, Outcome, Refused
from .rules import ACTION_LABELS, ACTIONS, DEPARTMENT_BOUND, GRAPHS, KIND_LABELS, PERMISSIONS, ROLE_LABELS
from .values import clean

__all__ = [
    "Actor",
    "ItemRules",
    "Outcome",
    "Refused",
    "allowed_actions",
    "apply",
    "check",
    "handles",
    "record_departments",
]


def record_departments(record: Mapping[str, Any], item: ItemRules | None = None) -> frozenset[str]:
    """The departments responsible for ``record``: the assigned one for a consultation, the
    item's 实施部门 and 共同实施部门 for an application (from ``item``, or from a
    ``departments`` list kept in the record's item reference)."""
    if record.get("kind") != "application":  # consultation, case, complaint: where it is
        return frozenset({record["department"]}) if record.get("department") else frozenset()
    if item is not None:
        return item.departments
    return frozenset((record.get("item") or {}).get("departments", ()))


def handles(
    user_departments: Iterable[str], record: Mapping[str, Any], item: ItemRules | None = None
) -> bool:
    """Whether a handler of ``user_departments`` may act on ``record`` (and see it in her queue)."""
    return not record_departments(record, item).isdisjoint(user_departments)


def apply(
    record: Mapping[str, Any],
    action: str,
    actor: Actor,
    payload: Mapping[str, Any],
    now: dt.datetime,
    item: ItemRules | None = None,
    *,
    departments: Collection[str] | None = None,
) -> Outcome:
    """Check ``action`` by ``actor`` on ``record`` at ``now`` and return what it changes.

    ``item`` is required for applications. ``departments``, when given, are the known
    department ids a consultation may be assigned to. ``now`` must be timezone-aware; its
    date in China is the day that counts for deadlines.
    """
    today = _china_date(now)
    check(record, action, actor, today, item)
    values = clean(record, action, payload, today, item, departments)
    state = record["status"]
    changes, note = EFFECTS[action](record, values, now, today, actor, item)
    event = {
        "at": now.isoformat(timespec="seconds"),
        "state": changes.get("status", state),
        "action": action,
        "note": note,
        "actor": actor.name,
        "role": actor.role,
        "details": values,
    }
    return Outcome(changes, event)


def check(
    record: Mapping[str, Any], action: str, actor: Actor, today: dt.date, item: ItemRules | None = None
) -> None:
    """Raise :class:`Refused` unless ``actor`` may take ``action`` on ``record`` on ``today``
    (everything :func:`apply` checks except the entered values)."""
    kind, state = record.get("kind"), record.get("status")
    if kind not in GRAPHS:
        raise ValueError(f"not a workflow record: kind {kind!r}")
    if kind == "application" and item is None:
        raise ValueError("applications need the item's rules (ItemRules)")
    if action not in PERMISSIONS:
        raise Refused(f"未知的操作“{action}”")
    label, role = ACTION_LABELS[action], ROLE_LABELS.get(actor.role, actor.role)
    allowed = PERMISSIONS[action]
    if actor.role not in allowed:
        raise Refused(f"{role}无权进行“{label}”操作")
    if action not in GRAPHS[kind].get(state, {}):
        raise Refused(f"该{KIND_LABELS[kind]}当前状态为“{state}”，不能进行“{label}”操作")
    states = allowed[actor.role]
    if states is not None and state not in states:
        raise Refused(
            f"{role}只能在“{'、'.join(sorted(states))}”状态下进行“{label}”操作，当前状态为“{state}”"
        )
    if actor.role in DEPARTMENT_BOUND and not handles(actor.departments, record, item):
        whose = "不属于您所在部门办理的事项" if kind == "application" else "未分派给您所在的部门"
        raise Refused(f"该{KIND_LABELS[kind]}{whose}，不能进行“{label}”操作")
    _guard(record, action, today, item)


def allowed_actions(
    record: Mapping[str, Any], actor: Actor, today: dt.date, item: ItemRules | None = None
) -> list[str]:
    """The actions ``actor`` may take on ``record`` on ``today``, in :data:`ACTIONS` order."""
    allowed = []
    for action in ACTIONS:
        try:
            check(record, action, actor, today, item)
        except Refused:
            continue
        allowed.append(action)
    return allowed


def _guard(record: Mapping[str, Any], action: str, today: dt.date, item: ItemRules | None) -> None:
    if action == "accept_and_complete" and item is not None and not item.instant:
        raise Refused(f"本事项承诺办结时限为{item.limit.as_text()}，不是即办件，不能受理并当场办结")
    if action in ("explain_overdue", "remind"):
        state = deadlines.deadline_state(record, today)
        if state.state != deadlines.OVERDUE:
            what = "说明超期原因" if action == "explain_overdue" else "催告"
            raise Refused(f"尚未超期（办结期限 {_due_text(state)}），无需{what}")
    if action == "mark_faq" and record.get("faq"):
        raise Refused("该咨询已列入常见问题")
    if action == "close_case" and record.get("named") and not record.get("return_visit"):
        raise Refused("实名差评须先记录回访，才能办结")


def _due_text(state: deadlines.Deadline) -> str:
    return state.due.isoformat() if state.due else "未开始计算"


def _china_date(now: dt.datetime) -> dt.date:
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise TypeError("now must be a timezone-aware datetime")
    return now.astimezone(workdays.china_tz()).date()
