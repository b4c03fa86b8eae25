"""Queries as data (forms_api/storage/query.py) answered by the store's indexes: every page and
count equals what checking each stored document with ``Query.matches`` gives, after any mix
of inserts and updates, across restarts, and paging by cursor visits each row once."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms_api.storage.embedded import Store
from forms_api.storage.query import Columns, Cursor, Query
from tests.test_store import run

STATUSES = ("新", "办理中", "已办结", "需补正")
ITEMS = ("A", "B", "C", "")
DEPARTMENTS = ("d1", "d2", "")
DAY = dt.date(2026, 11, 2)


def columns(document: Mapping[str, Any]) -> Columns:
    """The test's indexer: the columns are fields of the document."""
    due = document.get("due")
    return Columns(
        status=document.get("status", ""),
        item=document.get("item", ""),
        department=document.get("department", ""),
        due=DAY + dt.timedelta(days=due) if due is not None else None,
        created=(DAY + dt.timedelta(days=document.get("day", 0))).isoformat(),
        flag=document.get("flag", False),
        target=document.get("target", ""),
        actor=document.get("actor", ""),
        text=document.get("text", "").upper(),
    )


fields = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(STATUSES),
        "item": st.sampled_from(ITEMS),
        "department": st.sampled_from(DEPARTMENTS),
        "due": st.none() | st.integers(-5, 5),
        "day": st.integers(0, 6),
        "flag": st.booleans(),
        "target": st.sampled_from(("", "SQ1", "SQ2")),
        "actor": st.sampled_from(("", "wang", "li")),
        "text": st.sampled_from(("", "林晓 专利", "张三 商标", "ZX20261124-000001")),
    },
)

day = st.integers(-5, 5).map(lambda n: DAY + dt.timedelta(days=n))
created = st.integers(0, 6).map(lambda n: DAY + dt.timedelta(days=n))
CONDITIONS = {
    "status": st.frozensets(st.sampled_from(STATUSES)),
    "items": st.frozensets(st.sampled_from(ITEMS)),
    "departments": st.frozensets(st.sampled_from(DEPARTMENTS)),
    "due_from": day,
    "due_until": day,
    "created_from": created,
    "created_until": created,
    "flag": st.booleans(),
    "target": st.sampled_from(("SQ1", "SQ2")),
    "actor": st.sampled_from(("li", "wang")),
    "text": st.sampled_from(("林", "专利", "zx2026", "无")),
}


@st.composite
def queries(draw: Any) -> Query:
    """A query of a few conditions: each kind of condition, and each combination the
    store answers from its counters or its due index, is drawn often."""
    names = draw(st.sets(st.sampled_from(sorted(CONDITIONS)), max_size=3))
    return Query("k", **{name: draw(CONDITIONS[name]) for name in names})


operations = st.lists(
    st.tuples(st.sampled_from(("insert", "update")), st.integers(0, 10_000), fields), min_size=1, max_size=40
)


def expected(documents: list[dict[str, Any]], query: Query) -> list[int]:
    """The ``n`` of every matching document, newest first: the reference."""
    return [d["n"] for d in reversed(documents) if query.matches(columns(d))]


async def apply(store: Store, plan: list[tuple[str, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Carry out ``plan`` on ``store``; the documents as they should be, in the order stored."""
    documents: list[dict[str, Any]] = []
    for operation, pick, values in plan:
        if operation == "update" and documents:
            target = documents[pick % len(documents)]
            await store.update(f"K{target['n']}", values)
            target.update(values)
        else:
            document = {"n": len(documents), **values}
            await store.insert("k", f"K{document['n']}", document)
            documents.append(dict(document))
    return documents


async def pages(store: Store, query: Query, limit: int) -> list[int]:
    """Every row, following ``next`` cursors from the first page; and back again by ``previous``."""
    seen: list[list[int]] = []
    page = await store.find(query, limit)
    while True:
        seen.append([row["n"] for row in page.rows])
        if page.next is None:
            break
        page = await store.find(query, limit, after=page.next)
    back = seen[-1]
    while page.previous is not None:  # walk back to the first page
        page = await store.find(query, limit, before=page.previous)
        back = [row["n"] for row in page.rows] + back
    forward = [n for rows in seen for n in rows]
    assert back == forward or len(seen) == 1
    return forward


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=operations, asked=st.lists(queries(), min_size=1, max_size=6), limit=st.integers(1, 7))
def test_pages_and_counts_equal_checking_every_document(
    engine: Any, plan: list[Any], asked: list[Query], limit: int
) -> None:
    engine.empty()

    async def scenario() -> None:
        store = await engine.open(columns)
        documents = await apply(store, plan)
        for query in asked:
            wanted = expected(documents, query)
            assert [row["n"] for row in (await store.find(query, len(documents) + 1)).rows] == wanted
            assert await pages(store, query, limit) == wanted
            assert await store.tally({"q": query}) == {"q": len(wanted)}
            assert [d["n"] for d in await store.snapshot(query)] == wanted
        await store.close()
        reopened = await engine.open(columns)  # the embedded store rebuilt from shards and journal
        try:
            for query in asked:
                assert [
                    row["n"] for row in (await reopened.find(query, len(documents) + 1)).rows
                ] == expected(documents, query)
                assert await reopened.tally({"q": query}) == {"q": len(expected(documents, query))}
        finally:
            await reopened.close()

    run(scenario())


def test_a_cursor_survives_a_restart_and_new_documents(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open(columns)
        for n in range(30):
            await store.insert("k", f"K{n}", {"n": n, "status": STATUSES[n % 2]})
        first = await store.find(Query("k", status={"新"}), 5)
        await store.close()
        store = await engine.open(columns)
        await store.insert("k", "K30", {"n": 30, "status": "新"})  # newer: not on the next page
        second = await store.find(Query("k", status={"新"}), 5, after=first.next)
        assert [row["n"] for row in first.rows] == [28, 26, 24, 22, 20]
        assert [row["n"] for row in second.rows] == [18, 16, 14, 12, 10]
        await store.close()

    run(scenario())


def test_an_unusable_cursor_is_no_cursor() -> None:
    assert Cursor.parse(None) is None
    assert Cursor.parse("") is None
    assert Cursor.parse("-3") is None
    assert Cursor.parse("1e9") is None
    assert Cursor.parse("9" * 40) is None
    assert Cursor.parse("42") == Cursor(42)


def test_a_snapshot_keeps_the_documents_as_they_were_taken(tmp_path: Path) -> None:
    """An export reads a snapshot in a forked child while requests change the store: the
    documents the embedded store hands over never change under it (updates store new
    documents; PostgreSQL reads in a transaction of its own)."""

    async def scenario() -> None:
        store = Store(tmp_path, columns=columns)
        for n in range(50):
            await store.insert("k", f"K{n}", {"n": n, "status": "新", "timeline": [n]})
        taken = await store.snapshot(Query("k"))
        frozen = [dict(d) for d in taken]
        rng = random.Random(7)
        for _ in range(200):
            n = rng.randrange(50)
            await store.update(f"K{n}", {"status": "办理中", "timeline": [n, "changed"]})
        assert [dict(d) for d in taken] == frozen
        assert (await store.tally({"new": Query("k", status={"新"})}))["new"] < 50
        await store.close()

    run(scenario())
