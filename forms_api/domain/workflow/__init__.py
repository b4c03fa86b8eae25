"""The service workflow (annex F of T/CIPS 007—2024) as pure logic, without HTTP or storage.

- :mod:`.rules`: states, the transition graphs and the role table, as data;
- :mod:`.deadlines`: when the clock runs, the pause rule for corrections, queue classes;
- :mod:`.actions`: :func:`apply` checks one action and returns what it changes, with
  :mod:`.model` (actor, item rules, outcome), :mod:`.values` (what was entered) and
  :mod:`.effects` (the fields each action sets and its timeline sentence).
"""

from __future__ import annotations

from forms_api.domain.errors import Invalid

from .actions import (
    Actor,
    ItemRules,
    Outcome,
    Refused,
    allowed_actions,
    apply,
    check,
    handles,
    record_departments,
)
from .deadlines import (
    DUE_SOON,
    NONE,
    ON_TIME,
    OVERDUE,
    Deadline,
    deadline_state,
    needs_overdue_reason,
    reply_due,
)
from .effects import responsible
from .rules import ACTIONS, GRAPHS, PERMISSIONS, ROLES, STAFF_ROLES, STATES, SYSTEM

__all__ = [
    "ACTIONS",
    "DUE_SOON",
    "GRAPHS",
    "NONE",
    "ON_TIME",
    "OVERDUE",
    "PERMISSIONS",
    "ROLES",
    "STAFF_ROLES",
    "STATES",
    "SYSTEM",
    "Actor",
    "Deadline",
    "Invalid",
    "ItemRules",
    "Outcome",
    "Refused",
    "allowed_actions",
    "apply",
    "check",
    "deadline_state",
    "handles",
    "needs_overdue_reason",
    "record_departments",
    "reply_due",
    "responsible",
]
