"""What a person entered for an action: checked all at once, cleaned, in Chinese messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from forms_api.domain.errors import Invalid

from . import deadlines
from .model import ItemRules
from .rules import OUTCOMES

MAX_TEXT = 2000
MAX_NOTE = 500
MAX_REFERENCE = 200


def clean(
    record: Mapping[str, Any],
    action: str,
    payload: Mapping[str, Any],
    today: dt.date,
    item: ItemRules | None,
    departments: Collection[str] | None,
) -> dict[str, Any]:
    """The cleaned values an action records, or :class:`Invalid` with every problem."""
    problems: dict[str, str] = {}
    text = _Texts(payload, problems)
    values: dict[str, Any]
    if action == "request_correction":
        assert item is not None
        values = {"materials": _materials(payload.get("materials"), item, problems)}
        values["note"] = text("note", "补正说明", MAX_TEXT, required=False)
        if not values["materials"] and not values["note"] and not problems:
            problems["materials"] = "请至少指出一份需要补正的材料，或填写补正说明"
    elif action == "refuse":
        values = {"reason": text("reason", "不予受理的理由", MAX_TEXT)}
    elif action == "progress":
        values = {"text": text("text", "办理进度说明", MAX_TEXT)}
    elif action in ("complete", "accept_and_complete"):
        values = {
            "result": text("result", "办理结果", MAX_TEXT),
            "document": text("document", "结果文书编号", MAX_REFERENCE, required=False),
        }
        if action == "complete" and deadlines.needs_overdue_reason(record, today):
            late = deadlines.deadline_state(record, today)
            values["overdue_reason"] = text("overdue_reason", "超期原因", MAX_TEXT, required=False)
            if not values["overdue_reason"] and "overdue_reason" not in problems:
                problems["overdue_reason"] = f"办件已超过办结期限（{late.due}），请先说明超期原因"
    elif action == "explain_overdue":
        values = {"reason": text("reason", "超期原因", MAX_TEXT)}
    elif action == "assign":
        values = {"department": text("department", "承办部门", MAX_REFERENCE)}
        if values["department"] and departments is not None and values["department"] not in departments:
            problems["department"] = "找不到这个部门，请从部门列表中选择"
        elif values["department"] and values["department"] == record.get("department"):
            problems["department"] = "该咨询已分派给这个部门"
    elif action in ("reply", "answer"):
        values = {"text": text("text", "答复内容", MAX_TEXT)}
    elif action == "record_visit":
        values = {
            "method": _choice(payload, "method", "回访方式", VISIT_METHODS, problems),
            "satisfaction": _choice(payload, "satisfaction", "回访满意度", SATISFACTION, problems),
            "note": text("note", "回访情况", MAX_TEXT),
        }
    elif action == "close_case":
        values = {
            "outcome": _choice(payload, "outcome", "处理结果", OUTCOMES, problems),
            "text": text("text", "处理说明", MAX_TEXT),
            "decision": text("decision", "复核结论", MAX_TEXT, required=payload.get("outcome") == "申诉复核"),
        }
    else:  # accept, receive_correction, remind, mark_faq: an optional note
        values = {"note": text("note", "说明", MAX_TEXT, required=False)}
    if problems:
        raise Invalid(problems)
    return {name: value for name, value in values.items() if value not in ("", None)}


VISIT_METHODS = ("电话", "短信", "上门", "网上")
SATISFACTION = ("1", "2", "3", "4", "5")
"""The five satisfaction levels (1 非常满意 … 5 非常不满意), as the rating form has them."""


def _choice(
    payload: Mapping[str, Any], name: str, label: str, options: tuple[str, ...], problems: dict[str, str]
) -> str:
    value = payload.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        problems[name] = f"请选择{label}"
    elif value not in options:
        problems[name] = f"{label}应为：{'、'.join(options)}"
    return value


class _Texts:
    def __init__(self, payload: Mapping[str, Any], problems: dict[str, str]) -> None:
        self.payload, self.problems = payload, problems

    def __call__(self, name: str, label: str, limit: int, *, required: bool = True) -> str:
        value = self.payload.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problems[name] = f"{label}应为文字"
            return ""
        value = value.strip()
        if required and not value:
            self.problems[name] = f"请填写{label}"
        elif len(value) > limit:
            self.problems[name] = f"{label}不能超过 {limit} 个字（现为 {len(value)} 个字）"
        return value


def _materials(raw: Any, item: ItemRules, problems: dict[str, str]) -> list[dict[str, str]]:
    """Material problems: each an id of the item's materials, or ``{"id", "note"}``."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        problems["materials"] = "需要补正的材料应为列表"
        return []
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        material, note = (entry, "") if isinstance(entry, str) else _pair(entry)
        where = f"第 {number} 项"
        if not isinstance(material, str) or material not in item.materials:
            problems["materials"] = f"{where}：本事项没有这份材料（{material}）"
        elif material in seen:
            problems["materials"] = f"{where}：材料“{item.materials[material]}”重复列出"
        elif not isinstance(note, str) or len(note.strip()) > MAX_NOTE:
            problems["materials"] = f"{where}：说明应为不超过 {MAX_NOTE} 个字的文字"
        else:
            seen.add(material)
            found.append({"id": material, "name": item.materials[material], "note": note.strip()})
    return found


def _pair(entry: Any) -> tuple[Any, Any]:
    if isinstance(entry, Mapping):
        return entry.get("id"), entry.get("note") or ""
    return entry, ""
