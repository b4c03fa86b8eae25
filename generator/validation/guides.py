"""Rules for 智能导办 guides (catalog/guides/*.yml): every choice leads somewhere, no loops,
everything named exists. Located at the field that is wrong, like every rule."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from generator.problems import Finding
from generator.schema.guides import Guide

from .parts import CatalogParts, suggest


def _suggest(value: str, known: Iterable[str]) -> str:
    # a guide's ids are short words ("dnoe" for "done"): a looser match than elsewhere
    return suggest(value, known, cutoff=0.7)


def _item_materials(parts: CatalogParts) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in parts.of_kind("item"):
        data: Any = f.data
        materials = data.get("materials") if isinstance(data, dict) else None
        found[f.stem] = {
            str(m["id"])
            for m in (materials if isinstance(materials, list) else [])
            if isinstance(m, dict) and "id" in m
        }
    return found


def _declared(parts: CatalogParts, key: str) -> set[str]:
    """``standard/id`` of every entry under ``key`` (fees, reductions) of the fee standards."""
    found = set()
    for f in parts.of_kind("fee-standard"):
        data: Any = f.data
        entries = data.get(key) if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "id" in entry:
                found.add(f"{f.stem}/{entry['id']}")
    return found


def _loops(guide: Guide) -> Iterator[tuple[int, int, str]]:
    """(question index, choice index, the loop as text) for each choice that leads back to a
    question already on its own path."""
    index = {q.id: n for n, q in enumerate(guide.questions)}
    reported: set[tuple[int, int]] = set()

    def visit(question_id: str, path: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
        n = index[question_id]
        for c, choice in enumerate(guide.questions[n].choices):
            if choice.next in path or choice.next == question_id:
                if (n, c) not in reported:
                    reported.add((n, c))
                    loop = (
                        [*path[path.index(choice.next) :], question_id, choice.next]
                        if choice.next in path
                        else [question_id, choice.next]
                    )
                    yield n, c, " → ".join(loop)
            elif choice.next in index:
                yield from visit(choice.next, (*path, question_id))

    if guide.start in index:
        yield from visit(guide.start, ())


def _reachable(guide: Guide) -> set[str]:
    by_id = {q.id: q for q in guide.questions}
    seen: set[str] = set()
    todo = [guide.start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node in by_id:
            todo.extend(c.next for c in by_id[node].choices)
    return seen


def check_guides(parts: CatalogParts) -> Iterator[Finding]:
    items = _item_materials(parts)
    reductions, fees = _declared(parts, "reductions"), _declared(parts, "fees")
    for f, guide in parts.models("guide"):
        ids: dict[str, tuple[Any, ...]] = {}
        for n, question in enumerate(guide.questions):
            for key, loc in [(question.id, ("questions", n, "id"))]:
                if key in ids:
                    yield Finding(f.rel, loc, "E125", f"标识「{key}」重复：已用于本导办的另一个问题或结果")
                ids.setdefault(key, loc)
        for n, result in enumerate(guide.results):
            if result.id in ids:
                yield Finding(
                    f.rel,
                    ("results", n, "id"),
                    "E125",
                    f"标识「{result.id}」重复：已用于本导办的另一个问题或结果",
                )
            ids.setdefault(result.id, ("results", n, "id"))
        choices: set[str] = set()
        for n, question in enumerate(guide.questions):
            for c, choice in enumerate(question.choices):
                if choice.id in choices:
                    yield Finding(
                        f.rel,
                        ("questions", n, "choices", c, "id"),
                        "E125",
                        f"选项标识「{choice.id}」重复：选项标识在本导办内应唯一",
                    )
                choices.add(choice.id)
                if choice.next not in ids:
                    yield Finding(
                        f.rel,
                        ("questions", n, "choices", c, "next"),
                        "E126",
                        f"选项「{choice.label}」指向的「{choice.next}」既不是问题也不是结果{_suggest(choice.next, ids)}",
                    )
        if guide.start not in {q.id for q in guide.questions}:
            yield Finding(
                f.rel,
                ("start",),
                "E126",
                f"第一个问题「{guide.start}」不是本导办的问题{_suggest(guide.start, ids)}",
            )
            continue
        for n, c, loop in _loops(guide):
            yield Finding(
                f.rel,
                ("questions", n, "choices", c, "next"),
                "E127",
                f"导办形成循环：{loop}，回答永远到不了结果",
            )
        reachable = _reachable(guide)
        for kind, entries in (("questions", guide.questions), ("results", guide.results)):
            for n, node in enumerate(entries):
                if node.id not in reachable:
                    what = "问题" if kind == "questions" else "结果"
                    yield Finding(
                        f.rel, (kind, n, "id"), "E127", f"{what}「{node.id}」从第一个问题出发无法到达"
                    )
        for n, result in enumerate(guide.results):
            yield from _result_references(f.rel, n, result, items, fees, reductions, choices)


def _unknown(
    rel: str, loc: tuple[Any, ...], value: str, known: Iterable[str], code: str, what: str
) -> Iterator[Finding]:
    """A finding at ``loc`` when ``value`` is not one of ``known``: "{what}「value」不存在"."""
    if value not in known:
        yield Finding(
            rel,
            loc,
            code,
            f"{what}「{value}」{'不是本导办的选项' if code == 'E126' else '不存在'}{_suggest(value, known)}",
        )


def _answers(rel: str, loc: tuple[Any, ...], when: list[str], choices: set[str]) -> Iterator[Finding]:
    for w, answer in enumerate(when):
        yield from _unknown(rel, (*loc, "when", w), answer, choices, "E126", "适用的回答")


def _result_references(
    rel: str,
    n: int,
    result: Any,
    items: dict[str, set[str]],
    fees: set[str],
    reductions: set[str],
    choices: set[str],
) -> Iterator[Finding]:
    loc = ("results", n)
    for i, slug in enumerate(result.items):
        yield from _unknown(rel, (*loc, "items", i), slug, items, "E128", "事项")
    for c, line in enumerate(result.charges):
        yield from _unknown(rel, (*loc, "charges", c, "fee"), line.fee, fees, "E128", "收费项目")
        yield from _answers(rel, (*loc, "charges", c), line.when, choices)
    for m, entry in enumerate(result.materials):
        if entry.item not in items:
            yield from _unknown(rel, (*loc, "materials", m, "item"), entry.item, items, "E128", "事项")
        else:
            what = f"事项「{entry.item}」的申请材料"
            yield from _unknown(
                rel, (*loc, "materials", m, "material"), entry.material, items[entry.item], "E128", what
            )
        yield from _answers(rel, (*loc, "materials", m), entry.when, choices)
    for e, fee in enumerate(result.fees):
        if fee.reduction is not None:
            yield from _unknown(
                rel, (*loc, "fees", e, "reduction"), fee.reduction, reductions, "E128", "减缴"
            )
        if not result.charges:
            yield Finding(rel, (*loc, "fees", e), "E128", "填写了费用减缴，但没有填写应缴费用（charges）")
        yield from _answers(rel, (*loc, "fees", e), fee.when, choices)
