"""The service flow as data: states, the transition graphs, who may take which action.

Everything the console needs to know about "may this happen" lives in three tables, so the
rules can be read (and tested) in one place and the code in :mod:`.actions` only walks them:

- :data:`GRAPHS`: per record kind, ``state -> action -> target states``. An action that
  leaves the state unchanged (a further progress node, an overdue explanation, a reminder)
  is a self-loop. ``receive_correction`` has two targets: the record returns to where the
  correction was asked for (see :mod:`.actions`).
- :data:`PERMISSIONS`: ``action -> role -> states`` — the roles allowed to take an action,
  each with the states in which it may (``None``: wherever the graph allows the action).
- :data:`DEPARTMENT_BOUND`: the roles that may act only on records of their own departments.

Annex F of T/CIPS 007—2024 names the steps: 申请受理 (F.2: accept, ask for corrections,
refuse, or finish on the spot what can be finished on the spot), 服务实施 (F.3.2: record each
progress node; F.3.3 示警: explain what is overdue; F.3.4 催告: remind those responsible) and
服务咨询 (F.1: answer, and collect frequent questions into the FAQ).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from forms_api.domain.staff.roles import ROLES as STAFF_ROLE_TABLE

# --- states --------------------------------------------------------------------------------------

SUBMITTED = "已提交"
ACCEPTED = "已受理"
CORRECTION = "需补正"
REFUSED = "不予受理"
HANDLING = "办理中"
COMPLETED = "已办结"
APPLICATION_STATES = (SUBMITTED, ACCEPTED, CORRECTION, REFUSED, HANDLING, COMPLETED)

ASSIGNED = "已分派"
REPLIED = "已答复"
CONSULTATION_STATES = (SUBMITTED, ASSIGNED, REPLIED)

RUNNING_STATES = frozenset({ACCEPTED, HANDLING})
"""Application states in which the handling clock runs (accepted, not paused, not closed)."""

AWAITING_REPLY = frozenset({SUBMITTED, ASSIGNED})
"""Consultation (and complaint) states in which the reply clock runs."""

PENDING = "待处理"
VISITED = "已回访"
CASE_STATES = (PENDING, VISITED, COMPLETED)
"""A 差评 case (9.2, 9.3): opened by a rating of level 4 or 5, closed with its outcome."""
OPEN_CASE_STATES = frozenset({PENDING, VISITED})

TO_VISIT = "待回访"
VISIT_STATES = (TO_VISIT, VISITED)
"""A return visit (9.2) of a completed application picked by the schedule."""

COMPLAINT_STATES = (SUBMITTED, REPLIED)
"""A complaint or suggestion (9.3 b, c): answered within the platform's days."""

OUTCOMES = ("整改", "解释说明", "申诉复核")
"""How a 差评 case ends: what was fixed, an explanation, or an appeal with its decision."""

# --- roles and actions ---------------------------------------------------------------------------

ADMIN, ACCEPTOR, HANDLER, SUPERVISOR, AUDITOR = "admin", "acceptor", "handler", "supervisor", "auditor"
STAFF_ROLES = (ADMIN, ACCEPTOR, HANDLER, SUPERVISOR, AUDITOR)
APPLICANT = "applicant"
"""Not a staff role: the person who applied, acting through their receipt and lookup code."""
SYSTEM = "system"
"""Not a person: the background jobs, which 催告 overdue work on their own (F.3.4)."""
ROLES = (*STAFF_ROLES, APPLICANT, SYSTEM)

ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {**{role.id: role.label for role in STAFF_ROLE_TABLE.values()}, APPLICANT: "申请人", SYSTEM: "系统"}
)
"""The Chinese names of the roles, the console's own (:mod:`forms_api.domain.staff.roles`)."""

ACTION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "accept": "受理",
        "request_correction": "要求补正",
        "receive_correction": "提交补正材料",
        "refuse": "不予受理",
        "progress": "记录办理进度",
        "complete": "办结",
        "accept_and_complete": "受理并当场办结",
        "explain_overdue": "说明超期原因",
        "remind": "催告",
        "assign": "分派",
        "reply": "答复",
        "mark_faq": "列入常见问题",
        "record_visit": "记录回访",
        "close_case": "办结差评",
        "answer": "答复投诉建议",
    }
)
ACTIONS = tuple(ACTION_LABELS)

KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"application": "申请", "consultation": "咨询", "case": "差评", "complaint": "投诉建议", "visit": "回访"}
)


def _graph(edges: dict[str, dict[str, tuple[str, ...]]]) -> Mapping[str, Mapping[str, frozenset[str]]]:
    return MappingProxyType(
        {
            state: MappingProxyType({action: frozenset(to) for action, to in actions.items()})
            for state, actions in edges.items()
        }
    )


APPLICATION_GRAPH = _graph(
    {
        SUBMITTED: {
            "accept": (ACCEPTED,),
            "request_correction": (CORRECTION,),
            "refuse": (REFUSED,),
            "accept_and_complete": (COMPLETED,),  # 即办件 only: a guard in actions.py
        },
        CORRECTION: {"receive_correction": (SUBMITTED, HANDLING)},
        ACCEPTED: {
            "progress": (HANDLING,),
            "complete": (COMPLETED,),
            "explain_overdue": (ACCEPTED,),
            "remind": (ACCEPTED,),
        },
        HANDLING: {
            "progress": (HANDLING,),
            "request_correction": (CORRECTION,),
            "complete": (COMPLETED,),
            "explain_overdue": (HANDLING,),
            "remind": (HANDLING,),
        },
        REFUSED: {},
        COMPLETED: {},
    }
)

CONSULTATION_GRAPH = _graph(
    {
        SUBMITTED: {"assign": (ASSIGNED,), "reply": (REPLIED,), "remind": (SUBMITTED,)},
        ASSIGNED: {"assign": (ASSIGNED,), "reply": (REPLIED,), "remind": (ASSIGNED,)},
        REPLIED: {"mark_faq": (REPLIED,)},
    }
)

CASE_GRAPH = _graph(
    {
        PENDING: {"record_visit": (VISITED,), "close_case": (COMPLETED,), "remind": (PENDING,)},
        VISITED: {"record_visit": (VISITED,), "close_case": (COMPLETED,), "remind": (VISITED,)},
        COMPLETED: {},
    }
)

COMPLAINT_GRAPH = _graph({SUBMITTED: {"answer": (REPLIED,), "remind": (SUBMITTED,)}, REPLIED: {}})

VISIT_GRAPH = _graph({TO_VISIT: {"record_visit": (VISITED,), "remind": (TO_VISIT,)}, VISITED: {}})

GRAPHS: Mapping[str, Mapping[str, Mapping[str, frozenset[str]]]] = MappingProxyType(
    {
        "application": APPLICATION_GRAPH,
        "consultation": CONSULTATION_GRAPH,
        "case": CASE_GRAPH,
        "complaint": COMPLAINT_GRAPH,
        "visit": VISIT_GRAPH,
    }
)
STATES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "application": APPLICATION_STATES,
        "consultation": CONSULTATION_STATES,
        "case": CASE_STATES,
        "complaint": COMPLAINT_STATES,
        "visit": VISIT_STATES,
    }
)

PERMISSIONS: Mapping[str, Mapping[str, frozenset[str] | None]] = MappingProxyType(
    {
        "accept": {ACCEPTOR: None, ADMIN: None},
        # the acceptor asks before accepting, the handler while handling
        "request_correction": {ACCEPTOR: frozenset({SUBMITTED}), HANDLER: frozenset({HANDLING})},
        "receive_correction": {APPLICANT: None},
        "refuse": {ACCEPTOR: None},
        "progress": {HANDLER: None},
        "complete": {HANDLER: None},
        "accept_and_complete": {ACCEPTOR: None, HANDLER: None},
        "explain_overdue": {HANDLER: None},
        "remind": {SUPERVISOR: None, ADMIN: None, SYSTEM: None},
        "assign": {ACCEPTOR: None, ADMIN: None},
        "reply": {HANDLER: None, ACCEPTOR: None},
        "mark_faq": {SUPERVISOR: None, ACCEPTOR: None},
        # 差评: the responsible department's handler visits and fixes, the supervisor too
        "record_visit": {SUPERVISOR: None, HANDLER: None},
        "close_case": {SUPERVISOR: None, HANDLER: None},
        "answer": {SUPERVISOR: None, ADMIN: None},
    }
)
"""``action -> role -> states``: the auditor appears nowhere, the applicant only to send corrections."""

DEPARTMENT_BOUND = frozenset({HANDLER})
"""Roles bound to their departments: the item's 实施部门 and 共同实施部门, or for a
consultation, case or complaint the department it is with (an unassigned one has none)."""


def roles_for(action: str) -> frozenset[str]:
    """The roles that may take ``action`` in some state."""
    return frozenset(PERMISSIONS.get(action, {}))
