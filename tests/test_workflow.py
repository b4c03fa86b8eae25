"""The service workflow: every state × action, every action × role, texts, 即办件, records.

The expected graph and role table are written out here again, independently of
``forms_api.domain.workflow.rules``, so that a change to the rules has to be made twice — once on
purpose. Deadline arithmetic is in ``test_workflow_deadlines.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from forms_api.domain.workflow import (
    ACTIONS,
    GRAPHS,
    PERMISSIONS,
    ROLES,
    STATES,
    Actor,
    Invalid,
    ItemRules,
    Refused,
    allowed_actions,
    apply,
    handles,
    record_departments,
)
from forms_api.domain.workflow.rules import ACTION_LABELS, ROLE_LABELS
from generator.schema import TimeLimit

CST = dt.timezone(dt.timedelta(hours=8))
# 2026-10-13 (Tue): three working days after 2026-10-08, so the records below are overdue.
NOW = dt.datetime(2026, 10, 13, 10, 0, tzinfo=CST)

ITEM = ItemRules(
    limit=TimeLimit(value=3, unit="工作日"),
    department="bureau",
    co_departments=("center",),
    materials={"application_form": "专利权质押登记申请表", "contract": "专利权质押合同"},
)
INSTANT = ItemRules(limit=TimeLimit(unit="即办"), department="bureau", materials={"id_card": "身份证明"})

# --- the specification, written out -------------------------------------------------------------

EXPECTED_EDGES = {
    ("application", "已提交", "accept"): "已受理",
    ("application", "已提交", "request_correction"): "需补正",
    ("application", "已提交", "refuse"): "不予受理",
    ("application", "已提交", "accept_and_complete"): "已办结",
    ("application", "需补正", "receive_correction"): "已提交",  # before acceptance
    ("application", "已受理", "progress"): "办理中",
    ("application", "已受理", "complete"): "已办结",
    ("application", "已受理", "explain_overdue"): "已受理",
    ("application", "已受理", "remind"): "已受理",
    ("application", "办理中", "progress"): "办理中",
    ("application", "办理中", "request_correction"): "需补正",
    ("application", "办理中", "complete"): "已办结",
    ("application", "办理中", "explain_overdue"): "办理中",
    ("application", "办理中", "remind"): "办理中",
    ("consultation", "已提交", "assign"): "已分派",
    ("consultation", "已提交", "reply"): "已答复",
    ("consultation", "已提交", "remind"): "已提交",
    ("consultation", "已分派", "assign"): "已分派",
    ("consultation", "已分派", "reply"): "已答复",
    ("consultation", "已分派", "remind"): "已分派",
    ("consultation", "已答复", "mark_faq"): "已答复",
    ("case", "待处理", "record_visit"): "已回访",
    ("case", "待处理", "close_case"): "已办结",  # an anonymous 差评 needs no visit
    ("case", "待处理", "remind"): "待处理",
    ("case", "已回访", "record_visit"): "已回访",
    ("case", "已回访", "close_case"): "已办结",
    ("case", "已回访", "remind"): "已回访",
    ("complaint", "已提交", "answer"): "已答复",
    ("complaint", "已提交", "remind"): "已提交",
    ("visit", "待回访", "record_visit"): "已回访",
    ("visit", "待回访", "remind"): "待回访",
}

# action -> role -> the states in which the role may take it (None: wherever the graph allows)
EXPECTED_ROLES: dict[str, dict[str, set[str] | None]] = {
    "accept": {"acceptor": None, "admin": None},
    "request_correction": {"acceptor": {"已提交"}, "handler": {"办理中"}},
    "receive_correction": {"applicant": None},
    "refuse": {"acceptor": None},
    "progress": {"handler": None},
    "complete": {"handler": None},
    "accept_and_complete": {"acceptor": None, "handler": None},
    "explain_overdue": {"handler": None},
    "remind": {"supervisor": None, "admin": None, "system": None},  # system: the automatic 催告 (F.3.4)
    "assign": {"acceptor": None, "admin": None},
    "reply": {"handler": None, "acceptor": None},
    "mark_faq": {"supervisor": None, "acceptor": None},
    "record_visit": {"supervisor": None, "handler": None},
    "close_case": {"supervisor": None, "handler": None},
    "answer": {"supervisor": None, "admin": None},
}

# Enough for every action to pass its value checks.
FULL_PAYLOAD = {
    "materials": [{"id": "contract", "note": "缺少出质人签章"}],
    "note": "请一并提供授权委托书",
    "reason": "需要补充现场核查",
    "text": "已完成材料审查",
    "result": "准予登记",
    "document": "ZL-2026-0001",
    "department": "center",
    "overdue_reason": "等待国家知识产权局复函",
    "method": "电话",
    "satisfaction": "2",
    "outcome": "整改",
}


def application(status: str = "已提交", **fields: Any) -> dict[str, Any]:
    record = {
        "kind": "application",
        "receipt_no": "SQ20260930-000001",
        "status": status,
        "submitted_at": "2026-09-30T09:00:00+08:00",
        "item": {"code": "X-01", "slug": "pledge", "name": "专利权质押登记"},
        "due_date": "2026-10-10",
        "timeline": [
            {"at": "2026-09-30T09:00:00+08:00", "state": "已提交", "note": "收到网上申请，材料 2 份"}
        ],
    }
    if status in ("已受理", "办理中", "已办结"):
        record |= {"accepted_at": "2026-09-30T10:00:00+08:00", "due_date": "2026-10-08"}
    return record | fields


def consultation(status: str = "已提交", **fields: Any) -> dict[str, Any]:
    record = {
        "kind": "consultation",
        "receipt_no": "ZX20260930-000001",
        "status": status,
        "submitted_at": "2026-09-30T09:00:00+08:00",
        "reply_due": "2026-10-09",
        "subject": "质押登记",
        "message": "需要哪些材料？",
        "timeline": [{"at": "2026-09-30T09:00:00+08:00", "state": "已提交", "note": "收到咨询留言"}],
    }
    if status in ("已分派", "已答复"):
        record["department"] = "bureau"
    return record | fields


def case(status: str = "待处理", **fields: Any) -> dict[str, Any]:
    record = {
        "kind": "case",
        "receipt_no": "CP20260930-000001",
        "status": status,
        "submitted_at": "2026-09-30T09:00:00+08:00",
        "rating_no": "PJ20260930-000001",
        "level": 5,
        "named": False,
        "department": "bureau",
        "due_date": "2026-10-09",
        "timeline": [{"at": "2026-09-30T09:00:00+08:00", "state": "待处理", "note": "收到差评"}],
    }
    return record | fields


def complaint(status: str = "已提交", **fields: Any) -> dict[str, Any]:
    record = {
        "kind": "complaint",
        "receipt_no": "TS20260930-000001",
        "status": status,
        "submitted_at": "2026-09-30T09:00:00+08:00",
        "reply_due": "2026-10-09",
        "subject": "窗口等候时间长",
        "message": "上午排队一个多小时。",
        "timeline": [{"at": "2026-09-30T09:00:00+08:00", "state": "已提交", "note": "收到投诉"}],
    }
    return record | fields


def visit(status: str = "待回访", **fields: Any) -> dict[str, Any]:
    record = {
        "kind": "visit",
        "receipt_no": "HF20260930-000001",
        "status": status,
        "visited_receipt": "SQ20260930-000001",
        "department": "bureau",
        "scheduled_at": "2026-09-30T09:00:00+08:00",
        "due_date": "2026-10-09",
        "timeline": [{"at": "2026-09-30T09:00:00+08:00", "state": "待回访", "note": "列入回访"}],
    }
    return record | fields


RECORDS = {
    "application": application,
    "consultation": consultation,
    "case": case,
    "complaint": complaint,
    "visit": visit,
}


def actor(role: str, departments: tuple[str, ...] = ("bureau",)) -> Actor:
    return Actor(name=f"{ROLE_LABELS[role]}甲", role=role, departments=frozenset(departments))


def pick_role(action: str, state: str) -> str:
    """A role the table allows for ``action`` in ``state`` (any allowed role if none is)."""
    roles = EXPECTED_ROLES[action]
    for role in ("acceptor", "admin", "supervisor", "applicant", "handler"):
        if role in roles and (roles[role] is None or state in roles[role]):
            return role
    return next(iter(roles))


def item_for(kind: str, action: str) -> ItemRules | None:
    if kind != "application":
        return None
    return INSTANT if action == "accept_and_complete" else ITEM


# --- the tables themselves -------------------------------------------------------------------------


def test_graph_is_the_specified_one():
    edges = {
        (kind, state, action): target
        for kind, graph in GRAPHS.items()
        for state, actions in graph.items()
        for action, targets in actions.items()
        for target in targets
    }
    # receive_correction has a second target: back to 办理中 when asked for during handling
    assert edges.pop(("application", "需补正", "receive_correction")) in {"已提交", "办理中"}
    expected = dict(EXPECTED_EDGES)
    del expected[("application", "需补正", "receive_correction")]
    assert edges == expected
    assert GRAPHS["application"]["需补正"]["receive_correction"] == {"已提交", "办理中"}
    assert set(STATES["application"]) == {"已提交", "已受理", "需补正", "不予受理", "办理中", "已办结"}


def test_role_table_is_the_specified_one():
    assert {
        a: {r: None if s is None else set(s) for r, s in roles.items()} for a, roles in PERMISSIONS.items()
    } == (EXPECTED_ROLES)
    assert not any("auditor" in roles for roles in PERMISSIONS.values())
    assert set(ACTIONS) == set(EXPECTED_ROLES) == set(ACTION_LABELS)


# --- every state × every action -------------------------------------------------------------------

MATRIX = [
    (kind, state, action)
    for kind in ("application", "consultation", "case", "complaint", "visit")
    for state in STATES[kind]
    for action in ACTIONS
]


@pytest.mark.parametrize(("kind", "state", "action"), MATRIX, ids=["-".join(case) for case in MATRIX])
def test_state_action_matrix(kind, state, action):
    record = RECORDS[kind](state)
    before = copy.deepcopy(record)
    who = actor(pick_role(action, state))
    target = EXPECTED_EDGES.get((kind, state, action))
    if target is None:
        with pytest.raises(Refused) as refused:
            apply(record, action, who, FULL_PAYLOAD, NOW, item_for(kind, action))
        assert f"“{state}”" in refused.value.message
        assert f"“{ACTION_LABELS[action]}”" in refused.value.message
    else:
        outcome = apply(record, action, who, FULL_PAYLOAD, NOW, item_for(kind, action))
        assert outcome.changes.get("status", state) == target
        assert outcome.event["state"] == target
        assert outcome.event["action"] == action
    assert record == before  # never mutated


# --- every action × every role -------------------------------------------------------------------

# (action, kind, state) where the graph allows the action, so only the role decides
ROLE_CASES = [
    ("accept", "application", "已提交"),
    ("request_correction", "application", "已提交"),
    ("request_correction", "application", "办理中"),
    ("receive_correction", "application", "需补正"),
    ("refuse", "application", "已提交"),
    ("progress", "application", "已受理"),
    ("progress", "application", "办理中"),
    ("complete", "application", "已受理"),
    ("complete", "application", "办理中"),
    ("accept_and_complete", "application", "已提交"),
    ("explain_overdue", "application", "办理中"),
    ("remind", "application", "已受理"),
    ("remind", "consultation", "已分派"),
    ("assign", "consultation", "已提交"),
    ("reply", "consultation", "已分派"),
    ("mark_faq", "consultation", "已答复"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "kind", "state"), ROLE_CASES, ids=["-".join(c) for c in ROLE_CASES])
def test_role_matrix(action, kind, state, role):
    record = RECORDS[kind](state)
    allowed = EXPECTED_ROLES[action]
    expected = role in allowed and (allowed[role] is None or state in allowed[role])
    call = lambda: apply(record, action, actor(role), FULL_PAYLOAD, NOW, item_for(kind, action))  # noqa: E731
    if expected:
        outcome = call()
        assert outcome.event["role"] == role
        assert outcome.event["actor"] == f"{ROLE_LABELS[role]}甲"
    else:
        with pytest.raises(Refused) as refused:
            call()
        assert ROLE_LABELS[role] in refused.value.message
        assert ACTION_LABELS[action] in refused.value.message


def test_role_restricted_to_a_state_says_which():
    with pytest.raises(Refused, match="受理员只能在“已提交”状态下进行“要求补正”操作，当前状态为“办理中”"):
        apply(application("办理中"), "request_correction", actor("acceptor"), FULL_PAYLOAD, NOW, ITEM)


def test_auditor_may_do_nothing():
    for kind, state, action in MATRIX:
        assert "auditor" not in PERMISSIONS[action]
        assert (
            allowed_actions(RECORDS[kind](state), actor("auditor"), NOW.date(), item_for(kind, action)) == []
        )


# --- handlers and their departments ---------------------------------------------------------------

HANDLER_CASES = [
    ("progress", application("办理中"), ITEM),
    ("complete", application("已受理"), ITEM),
    ("request_correction", application("办理中"), ITEM),
    ("explain_overdue", application("办理中"), ITEM),
    ("accept_and_complete", application("已提交"), INSTANT),
    ("reply", consultation("已分派"), None),
]


@pytest.mark.parametrize(("action", "record", "item"), HANDLER_CASES, ids=[c[0] for c in HANDLER_CASES])
def test_handler_of_another_department_is_refused(action, record, item):
    with pytest.raises(Refused, match="您所在"):
        apply(record, action, actor("handler", ("elsewhere",)), FULL_PAYLOAD, NOW, item)
    assert apply(record, action, actor("handler", ("elsewhere", "bureau")), FULL_PAYLOAD, NOW, item)


def test_co_department_handler_may_act():
    outcome = apply(application("办理中"), "progress", actor("handler", ("center",)), FULL_PAYLOAD, NOW, ITEM)
    assert outcome.event["note"] == "已完成材料审查"


def test_unassigned_consultation_is_no_handlers_business():
    with pytest.raises(Refused, match="未分派给您所在的部门"):
        apply(consultation("已提交"), "reply", actor("handler"), {"text": "答复"}, NOW)
    assert (
        apply(consultation("已提交"), "reply", actor("acceptor"), {"text": "答复"}, NOW).changes["status"]
        == "已答复"
    )


def test_acceptors_are_not_bound_to_departments():
    outcome = apply(application(), "accept", actor("acceptor", ()), {}, NOW, ITEM)
    assert outcome.changes["status"] == "已受理"


def test_handles():
    assert handles({"bureau"}, application(), ITEM)
    assert handles(["center", "x"], application(), ITEM)
    assert not handles({"x"}, application(), ITEM)
    assert not handles(set(), application(), ITEM)
    assert handles({"bureau"}, consultation("已分派"))
    assert not handles({"center"}, consultation("已分派"))
    assert not handles({"bureau"}, consultation("已提交"))
    # without the catalog's item: a departments list kept in the record's item reference
    kept = application(item={"code": "X", "slug": "s", "name": "n", "departments": ["bureau"]})
    assert handles({"bureau"}, kept) and not handles({"center"}, kept)
    assert record_departments(application()) == frozenset()


# --- entered values -------------------------------------------------------------------------------

REQUIRED = [
    ("refuse", application(), "acceptor", "reason", "请填写不予受理的理由"),
    ("progress", application("已受理"), "handler", "text", "请填写办理进度说明"),
    ("complete", application("已受理", due_date="2026-10-20"), "handler", "result", "请填写办理结果"),
    ("explain_overdue", application("办理中"), "handler", "reason", "请填写超期原因"),
    ("assign", consultation(), "acceptor", "department", "请填写承办部门"),
    ("reply", consultation("已分派"), "handler", "text", "请填写答复内容"),
    ("accept_and_complete", application(), "acceptor", "result", "请填写办理结果"),
]


@pytest.mark.parametrize(
    ("action", "record", "role", "field", "message"), REQUIRED, ids=[r[0] for r in REQUIRED]
)
@pytest.mark.parametrize("blank", [None, "", "  \n "])
def test_required_texts(action, record, role, field, message, blank):
    item = item_for(record["kind"], action)
    payload = {} if blank is None else {field: blank}
    with pytest.raises(Invalid) as invalid:
        apply(record, action, actor(role), payload, NOW, item)
    assert invalid.value.problems == {field: message}


def test_texts_are_trimmed_limited_and_must_be_text():
    outcome = apply(
        application(), "refuse", actor("acceptor"), {"reason": "  不属于本中心受理范围 "}, NOW, ITEM
    )
    assert outcome.changes["refusal_reason"] == "不属于本中心受理范围"
    assert outcome.event["note"] == "不予受理：不属于本中心受理范围"
    with pytest.raises(Invalid) as invalid:
        apply(application(), "refuse", actor("acceptor"), {"reason": "长" * 2001}, NOW, ITEM)
    assert invalid.value.problems == {"reason": "不予受理的理由不能超过 2000 个字（现为 2001 个字）"}
    with pytest.raises(Invalid) as invalid:
        apply(application(), "refuse", actor("acceptor"), {"reason": ["x"]}, NOW, ITEM)
    assert invalid.value.problems == {"reason": "不予受理的理由应为文字"}


def test_correction_needs_at_least_one_problem():
    with pytest.raises(Invalid) as invalid:
        apply(
            application(), "request_correction", actor("acceptor"), {"materials": [], "note": " "}, NOW, ITEM
        )
    assert invalid.value.problems == {"materials": "请至少指出一份需要补正的材料，或填写补正说明"}


@pytest.mark.parametrize(
    ("materials", "message"),
    [
        (["nope"], "第 1 项：本事项没有这份材料（nope）"),
        ([{"id": ["contract"]}], "第 1 项：本事项没有这份材料（['contract']）"),
        (["contract", {"id": "contract"}], "第 2 项：材料“专利权质押合同”重复列出"),
        ([{"id": "contract", "note": "长" * 501}], "第 1 项：说明应为不超过 500 个字的文字"),
        ("contract", "需要补正的材料应为列表"),
    ],
)
def test_correction_materials_are_the_items(materials, message):
    with pytest.raises(Invalid) as invalid:
        apply(application(), "request_correction", actor("acceptor"), {"materials": materials}, NOW, ITEM)
    assert invalid.value.problems == {"materials": message}


def test_correction_lists_materials_with_notes_or_free_text_alone():
    payload = {
        "materials": ["application_form", {"id": "contract", "note": "缺少签章"}],
        "note": "另附委托书",
    }
    outcome = apply(application(), "request_correction", actor("acceptor"), payload, NOW, ITEM)
    assert outcome.changes["status"] == "需补正"
    assert outcome.changes["corrections"] == [
        {
            "requested_at": "2026-10-13T10:00:00+08:00",
            "materials": [
                {"id": "application_form", "name": "专利权质押登记申请表", "note": ""},
                {"id": "contract", "name": "专利权质押合同", "note": "缺少签章"},
            ],
            "note": "另附委托书",
        }
    ]
    assert outcome.event["note"] == "请补正：专利权质押登记申请表；专利权质押合同（缺少签章）；另附委托书"
    assert "clock_paused" not in outcome.changes  # before acceptance no clock runs
    free = apply(application(), "request_correction", actor("acceptor"), {"note": "申请表未签字"}, NOW, ITEM)
    assert free.changes["corrections"][0]["materials"] == []


# --- 即办件 ----------------------------------------------------------------------------------------


def test_instant_item_is_accepted_and_completed_in_one_step():
    now = dt.datetime(2026, 10, 10, 9, 30, tzinfo=CST)  # the 调休 Saturday
    payload = {"result": "当场出具查询结果", "document": "CX-001"}
    outcome = apply(application(), "accept_and_complete", actor("acceptor", ()), payload, now, INSTANT)
    assert outcome.changes == {
        "status": "已办结",
        "accepted_at": "2026-10-10T09:30:00+08:00",
        "completed_at": "2026-10-10T09:30:00+08:00",
        "closed_at": "2026-10-10T09:30:00+08:00",
        "due_date": "2026-10-10",
        "due_date_provisional": False,
        "result": {"text": "当场出具查询结果", "document": "CX-001"},
        "completed_overdue_days": 0,
        "completed_late": False,
    }
    assert outcome.event["note"] == "已受理并当场办结：当场出具查询结果"


def test_only_instant_items_may_skip_acceptance():
    with pytest.raises(Refused, match="承诺办结时限为3 个工作日，不是即办件"):
        apply(application(), "accept_and_complete", actor("acceptor"), {"result": "x"}, NOW, ITEM)
    assert "accept_and_complete" not in allowed_actions(application(), actor("acceptor"), NOW.date(), ITEM)
    assert "accept_and_complete" in allowed_actions(application(), actor("acceptor"), NOW.date(), INSTANT)


def test_instant_item_may_also_be_accepted_then_completed():
    accepted = apply(application(), "accept", actor("acceptor"), {}, NOW, INSTANT)
    assert accepted.changes["due_date"] == "2026-10-13"
    assert accepted.event["note"] == "已受理（即办件）"
    record = accepted.applied_to(application())
    done = apply(record, "complete", actor("handler"), {"result": "已出具"}, NOW, INSTANT)
    assert done.changes["status"] == "已办结" and done.changes["completed_late"] is False


# --- records and events ---------------------------------------------------------------------------


def test_event_and_applied_to():
    record = application()
    outcome = apply(record, "accept", actor("acceptor"), {"note": "材料齐全"}, NOW, ITEM)
    assert outcome.event == {
        "at": "2026-10-13T10:00:00+08:00",
        "state": "已受理",
        "action": "accept",
        "note": "已受理，承诺3 个工作日内办结，办结期限 2026-10-16",
        "actor": "受理员甲",
        "role": "acceptor",
        "details": {"note": "材料齐全"},
    }
    updated = outcome.applied_to(record)
    assert updated["timeline"] == [*record["timeline"], outcome.event]
    assert updated["status"] == "已受理" and record["status"] == "已提交"
    assert len(record["timeline"]) == 1


def test_closed_applications_allow_nothing():
    for state in ("不予受理", "已办结"):
        for role in ROLES:
            assert allowed_actions(application(state), actor(role), NOW.date(), ITEM) == []


def test_allowed_actions_for_the_console():
    today = NOW.date()
    assert allowed_actions(application(), actor("acceptor"), today, ITEM) == [
        "accept",
        "request_correction",
        "refuse",
    ]
    assert allowed_actions(application("办理中"), actor("handler"), today, ITEM) == [
        "request_correction",
        "progress",
        "complete",
        "explain_overdue",
    ]
    assert allowed_actions(application("办理中"), actor("supervisor"), today, ITEM) == ["remind"]
    assert allowed_actions(consultation(), actor("acceptor"), today) == ["assign", "reply"]
    assert allowed_actions(consultation("已答复"), actor("supervisor"), today) == ["mark_faq"]


def test_consultation_assign_reply_and_faq():
    record = consultation()
    assigned = apply(
        record, "assign", actor("admin"), {"department": "bureau"}, NOW, departments={"bureau", "center"}
    )
    record = assigned.applied_to(record)
    assert record["status"] == "已分派" and record["department"] == "bureau"
    assert assigned.event["note"] == "已分派至部门（bureau）"
    with pytest.raises(Invalid) as invalid:
        apply(record, "assign", actor("acceptor"), {"department": "bureau"}, NOW)
    assert invalid.value.problems == {"department": "该咨询已分派给这个部门"}
    with pytest.raises(Invalid) as invalid:
        apply(record, "assign", actor("acceptor"), {"department": "mars"}, NOW, departments={"bureau"})
    assert invalid.value.problems == {"department": "找不到这个部门，请从部门列表中选择"}
    replied = apply(record, "reply", actor("handler"), {"text": "需要提交申请表和合同。"}, NOW)
    record = replied.applied_to(record)
    assert record["reply"] == {
        "text": "需要提交申请表和合同。",
        "at": "2026-10-13T10:00:00+08:00",
        "department": "bureau",
    }
    faq = apply(record, "mark_faq", actor("supervisor"), {}, NOW)
    record = faq.applied_to(record)
    assert record["faq"] == {"at": "2026-10-13T10:00:00+08:00", "by": "监督员甲"}
    with pytest.raises(Refused, match="已列入常见问题"):
        apply(record, "mark_faq", actor("acceptor"), {}, NOW)


def test_applicant_sends_corrections_and_staff_cannot():
    record = apply(
        application(), "request_correction", actor("acceptor"), {"note": "缺签字"}, NOW, ITEM
    ).applied_to(application())
    with pytest.raises(Refused, match="受理员无权进行“提交补正材料”操作"):
        apply(record, "receive_correction", actor("acceptor"), {}, NOW, ITEM)
    later = NOW + dt.timedelta(days=1)
    outcome = apply(record, "receive_correction", Actor("张三", "applicant"), {}, later, ITEM)
    assert outcome.changes["status"] == "已提交"
    assert outcome.changes["corrections"][-1]["received_at"] == "2026-10-14T10:00:00+08:00"
    assert "due_date" not in outcome.changes  # no clock before acceptance
    assert outcome.event["note"] == "收到补正材料，等待受理"
    assert "received_at" not in record["corrections"][-1]  # the input is untouched


def test_wrong_inputs_are_programming_errors():
    with pytest.raises(TypeError):
        apply(application(), "accept", actor("acceptor"), {}, dt.datetime(2026, 10, 13, 10), ITEM)
    with pytest.raises(ValueError):
        apply(application(), "accept", actor("acceptor"), {}, NOW)
    with pytest.raises(Refused, match="未知的操作"):
        apply(application(), "delete", actor("admin"), {}, NOW, ITEM)


# --- 差评 cases and complaints ---------------------------------------------------------------------


def test_a_named_bad_rating_cannot_close_without_a_return_visit():
    named = case(named=True, receipt_no_rated="SQ20260930-000001")
    closing = {"outcome": "整改", "text": "已调整窗口排班"}
    with pytest.raises(Refused, match="实名差评须先记录回访"):
        apply(named, "close_case", actor("supervisor"), closing, NOW)
    visit = {"method": "电话", "satisfaction": "2", "note": "申请人认可整改"}
    visited = apply(named, "record_visit", actor("handler"), visit, NOW).applied_to(named)
    assert visited["status"] == "已回访"
    assert visited["return_visit"] == {**visit, "at": "2026-10-13T10:00:00+08:00", "by": "办理员甲"}
    closed = apply(visited, "close_case", actor("supervisor"), closing, NOW).applied_to(visited)
    assert closed["status"] == "已办结" and closed["outcome"]["outcome"] == "整改"
    assert closed["timeline"][-1]["note"] == "整改：已调整窗口排班"


def test_closing_a_case_checks_its_outcome_and_an_appeal_needs_its_decision():
    with pytest.raises(Invalid) as invalid:
        apply(case(), "close_case", actor("supervisor"), {"outcome": "撤销", "text": ""}, NOW)
    assert invalid.value.problems == {
        "outcome": "处理结果应为：整改、解释说明、申诉复核",
        "text": "请填写处理说明",
    }
    with pytest.raises(Invalid) as invalid:
        apply(case(), "close_case", actor("supervisor"), {"outcome": "申诉复核", "text": "申请复核"}, NOW)
    assert invalid.value.problems == {"decision": "请填写复核结论"}
    with pytest.raises(Invalid) as invalid:
        apply(case(), "record_visit", actor("handler"), {"method": "信件", "satisfaction": "9"}, NOW)
    assert set(invalid.value.problems) == {"method", "satisfaction", "note"}


def test_a_handler_works_only_on_her_departments_cases_and_the_clocks_run():
    with pytest.raises(Refused, match="未分派给您所在的部门"):
        apply(case(), "record_visit", actor("handler", ("center",)), FULL_PAYLOAD, NOW)
    from forms_api.domain.workflow import deadline_state

    assert deadline_state(case(), NOW.date()).state == "overdue"  # due 2026-10-09
    assert deadline_state(case(status="已办结"), NOW.date()).state == "none"
    assert deadline_state(complaint(), NOW.date()).overdue_days == 3  # 10-10 (a 调休 Saturday), 10-12, 10-13
    answered = apply(complaint(), "answer", actor("supervisor"), {"text": "已增开窗口"}, NOW).applied_to(
        complaint()
    )
    assert answered["reply"] == {"text": "已增开窗口", "at": "2026-10-13T10:00:00+08:00"}
    assert deadline_state(answered, NOW.date()).state == "none"
