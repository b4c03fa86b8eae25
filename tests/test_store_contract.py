"""The store's interface, the same on both engines: every test here runs on the embedded store
and on PostgreSQL (the ``engine`` fixture), as tinydb's suite runs on every storage.

What each engine does underneath (the embedded journal and shards, PostgreSQL's tables) is
tested in ``test_store.py`` and ``test_postgres.py``; here only what a caller can see: keys,
copies, atomic writes, unique keys under concurrency, paging and counts, reopening.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from forms_api.storage.embedded import Insert
from forms_api.storage.embedded.shards import SHARD_SIZE
from forms_api.storage.query import Columns, Query
from tests.test_store import KIND, document, insert_many, key, run

MANY = SHARD_SIZE + 10
"""More documents than one embedded shard holds, so reading spans shards."""


def parity(document: Mapping[str, Any]) -> Columns:
    return Columns(status="odd" if document.get("n", 0) % 2 else "even")


async def read_back(engine: Any, kind: str = KIND) -> dict[str, dict[str, Any]]:
    """Every document of ``kind`` by receipt number, from the store opened again."""
    store = await engine.open()
    try:
        found = {doc["receipt_no"]: doc for doc in store.documents(kind)}
        assert len(found) == await store.count(kind), "two documents share a receipt number"
        return found
    finally:
        await store.close()


def test_insert_then_read_back_by_key_kind_and_count(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await insert_many(store, range(3))
            await store.insert("rating", "PJ-1", {"level": 1}, unique=("rated:" + key(0),))

            assert await store.get(key(1)) == document(1)
            assert await store.get("rated:" + key(0)) == {"level": 1}  # by a further key too
            assert await store.contains(key(2)) and await store.contains("rated:" + key(0))
            assert not await store.contains("nope") and await store.get("nope") is None
            assert sorted(doc["n"] for doc in store.documents(KIND)) == [0, 1, 2]
            assert list(store.documents("rating")) == [{"level": 1}]
            assert list(store.documents("unknown")) == []
            assert await store.kinds() == ["application", "rating"]
            counts = [await store.count(kind) for kind in (KIND, "rating", "unknown")]
            assert counts == [3, 1, 0]
        finally:
            await store.close()

    run(scenario())


def test_documents_handed_out_and_passed_in_are_copies(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            mine = document(1)
            await store.insert(KIND, key(1), mine, unique=("other-key",))
            fields = {"timeline": [{"event": "受理"}]}
            await store.update(key(1), fields)
            mine["timeline"].append({"event": "tampered"})
            fields["timeline"].append({"event": "tampered"})

            got = await store.get(key(1))
            assert type(got) is dict and got == document(1, timeline=[{"event": "受理"}])
            got["timeline"].clear()
            next(store.documents(KIND))["status"] = "changed"
            (await store.find(Query(KIND), 1)).rows[0]["status"] = "changed"
            assert await store.get(key(1)) == document(1, timeline=[{"event": "受理"}])
        finally:
            await store.close()

    run(scenario())
    assert run(read_back(engine))[key(1)]["timeline"] == [{"event": "受理"}]


def test_a_taken_key_is_refused_and_nothing_is_written(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.insert(KIND, key(1), document(1))
            await store.insert("rating", "PJ-1", {"level": 1}, unique=("rated:R1",))
            with pytest.raises(KeyError):
                await store.insert(KIND, key(1), document(1, status="second"))
            with pytest.raises(KeyError):  # keys are global, across kinds
                await store.insert("rating", key(1), {"level": 2})
            with pytest.raises(KeyError, match="rated:R1"):  # one rating per receipt
                await store.insert("rating", "PJ-2", {"level": 2}, unique=("rated:R1",))
            with pytest.raises(KeyError):  # a further key may not be another document's key
                await store.insert("rating", "PJ-3", {"level": 3}, unique=("PJ-1",))
            with pytest.raises(KeyError):  # nor a key another document's further key
                await store.insert("rating", "rated:R1", {"level": 4})
            assert not await store.contains("PJ-2") and not await store.contains("PJ-3")
            assert await store.get(key(1)) == document(1)
            assert (await store.count(KIND), await store.count("rating")) == (1, 1)
        finally:
            await store.close()

    run(scenario())
    assert run(read_back(engine)) == {key(1): document(1)}


def test_concurrent_inserts_with_the_same_unique_key_let_exactly_one_through(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            results = await asyncio.gather(
                *(store.insert("rating", f"PJ-{n}", {"n": n}, unique=("rated:R1",)) for n in range(20)),
                return_exceptions=True,
            )
            assert sum(result is None for result in results) == 1
            assert all(isinstance(result, KeyError) for result in results if result is not None)
            assert await store.count("rating") == 1
        finally:
            await store.close()

    run(scenario())


def test_update_changes_fields_by_any_key_and_survives_reopening(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.insert("rating", "PJ-1", {"level": 1}, unique=("rated:R1",))
            await insert_many(store, range(2))
            await store.update(key(0), {"status": "accepted", "handler": "窗口 3"})
            await store.update("rated:R1", {"level": 5})
            with pytest.raises(KeyError):
                await store.update("nope", {"status": "x"})
        finally:
            await store.close()

        store = await engine.open()
        try:
            assert await store.get(key(0)) == document(0, status="accepted", handler="窗口 3")
            assert await store.get(key(1)) == document(1)
            assert await store.get("PJ-1") == await store.get("rated:R1") == {"level": 5}
        finally:
            await store.close()

    run(scenario())


def test_a_write_of_several_changes_is_all_or_nothing(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await insert_many(store, range(2))
            await store.write(
                inserts=[
                    Insert("audit", "AU-1", {"record": key(0)}),
                    Insert("audit", "AU-2", {"record": key(1)}),
                ],
                updates=[(key(0), {"status": "accepted"}), (key(1), {"status": "refused"})],
            )
            with pytest.raises(KeyError):  # the update's key is unknown: the insert is not made
                await store.write(inserts=[Insert("audit", "AU-3", {"x": 1})], updates=[("nope", {"a": 1})])
            with pytest.raises(KeyError):  # the insert's key is taken: the update is not made
                await store.write(
                    inserts=[Insert("audit", "AU-1", {"x": 1})], updates=[(key(0), {"status": "x"})]
                )
            with pytest.raises(TypeError):  # a value JSON cannot hold: nothing of it is made
                await store.write(
                    inserts=[Insert("audit", "AU-3", {"x": {1}})], updates=[(key(0), {"status": "y"})]
                )
            with pytest.raises(ValueError):  # the store's own field is not the caller's
                await store.update(key(0), {"_keys": ["other"]})
            assert not await store.contains("AU-3")
            await store.write(inserts=[Insert("audit", "AU-3", {"x": 1})])  # the key was not taken
        finally:
            await store.close()

    run(scenario())
    assert {n: doc["status"] for n, doc in run(read_back(engine)).items()} == {
        key(0): "accepted",
        key(1): "refused",
    }
    audit = run(read_back_kind(engine, "audit"))
    assert sorted(doc.get("record", "") for doc in audit) == ["", key(0), key(1)]


async def read_back_kind(engine: Any, kind: str) -> list[dict[str, Any]]:
    store = await engine.open()
    try:
        return list(store.documents(kind))
    finally:
        await store.close()


def test_a_value_json_cannot_hold_fails_its_own_insert_only(engine: Any) -> None:
    async def scenario() -> list[Any]:
        store = await engine.open()
        try:
            results = await asyncio.gather(
                store.insert(KIND, key(1), document(1)),
                store.insert(KIND, key(2), document(2, when={1, 2})),  # a set is not JSON
                store.insert(KIND, key(3), document(3)),
                return_exceptions=True,
            )
            assert not await store.contains(key(2))
            await store.insert(KIND, key(2), document(2))  # the key was not taken
            return results
        finally:
            await store.close()

    results = run(scenario())
    assert results[0] is None and results[2] is None and isinstance(results[1], TypeError)
    assert run(read_back(engine)) == {key(n): document(n) for n in (1, 2, 3)}


def test_find_pages_newest_first_both_ways_and_tally_counts(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open(columns=parity)
        try:
            for n in range(MANY):  # one by one: the order of storing is the order of n
                await store.insert(KIND, key(n), document(n))
            newest = (await store.find(Query(KIND), 10)).rows
            assert [doc["n"] for doc in newest] == list(range(MANY - 1, MANY - 11, -1))
            assert len((await store.find(Query(KIND), MANY + 50)).rows) == MANY
            assert (await store.find(Query("rating"), 5)).rows == []

            odd = await store.find(Query(KIND, status={"odd"}), 3)
            assert [doc["n"] for doc in odd.rows] == [MANY - 1, MANY - 3, MANY - 5]
            following = await store.find(Query(KIND, status={"odd"}), 3, after=odd.next)
            assert [doc["n"] for doc in following.rows] == [MANY - 7, MANY - 9, MANY - 11]
            back = await store.find(Query(KIND, status={"odd"}), 3, before=following.previous)
            assert [doc["n"] for doc in back.rows] == [doc["n"] for doc in odd.rows]
            counts = await store.tally({"odd": Query(KIND, status={"odd"}), "all": Query(KIND)})
            assert counts == {"odd": MANY // 2, "all": MANY}
        finally:
            await store.close()

    run(scenario())


def test_receipt_numbers_go_on_after_reopening_and_from_given_numbers(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            numbers = await asyncio.gather(*(store.next_number("ZX20261207") for _ in range(5)))
            assert sorted(numbers) == [1, 2, 3, 4, 5]
            await store.insert(KIND, "ZX20261207-000005", document(5))
            await store.continue_numbering({"TS20261207": 40, "ZX20261207": 2})  # never backwards
            assert await store.next_number("TS20261207") == 41
            assert (await store.numbering())["ZX20261207"] == 5
        finally:
            await store.close()
        store = await engine.open()
        try:
            assert await store.next_number("ZX20261207") == 6  # never one that was stored
            assert await store.next_number("PJ20261207") == 1
        finally:
            await store.close()

    run(scenario())
