"""Jobs kept by the store (forms_api/storage/jobs.py), the same on both engines: queued in the
same write as a change, handed to one worker at a time, retried, failed, requeued."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from forms_api.storage.embedded import Insert
from forms_api.storage.jobs import DONE, FAILED, QUEUED, RUNNING, Job
from tests.test_store import KIND, abandon, document, key, run

T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def job(n: int, due: float = 0, record: str = "", **extra: Any) -> Job:
    return Job(f"notice:{n}", "notice", {"n": n}, at(due), record=record, **extra)


def test_a_job_is_stored_with_its_change_or_not_at_all(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.write(inserts=[Insert(KIND, key(1), document(1))], jobs=[job(1, record=key(1))])
            try:  # the insert's key is taken: the job is not queued either
                await store.write(inserts=[Insert(KIND, key(1), document(1))], jobs=[job(2)])
            except KeyError:
                pass
            else:
                raise AssertionError("a taken key was accepted")
        finally:
            await store.close()
        store = await engine.open()
        try:
            stored = await store.job("notice:1")
            assert stored is not None and stored.status == QUEUED and stored.record == key(1)
            assert stored.payload == {"n": 1} and stored.run_at == T0 and stored.attempts == 0
            assert await store.job("notice:2") is None
            assert [j.id for j in await store.jobs_of(key(1))] == ["notice:1"]
            assert await store.job_counts() == {QUEUED: 1, RUNNING: 0, FAILED: 0}
        finally:
            await store.close()

    run(scenario())


def test_a_job_asked_for_twice_is_queued_once(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.write(jobs=[job(1)])
            await store.write(jobs=[job(1, due=99), job(2)])  # schedules may ask again
            await store.write(jobs=[job(1)])  # nothing else in the write: nothing happens
            assert (await store.job("notice:1")).run_at == T0
            assert (await store.job_counts())[QUEUED] == 2
        finally:
            await store.close()

    run(scenario())


def test_claims_take_due_jobs_once_oldest_first_until_the_lease_ends(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.write(jobs=[job(3, due=30), job(1, due=10), job(2, due=20), job(9, due=900)])
            assert await store.claim("w1", at(5), 10, 60) == []
            first = await store.claim("w1", at(100), 2, 60)
            assert [(j.id, j.status, j.attempts, j.worker) for j in first] == [
                ("notice:1", RUNNING, 1, "w1"),
                ("notice:2", RUNNING, 1, "w1"),
            ]
            assert first[0].lease_until == at(160)
            assert [j.id for j in await store.claim("w2", at(100), 10, 60)] == ["notice:3"]
            assert await store.claim("w2", at(150), 10, 60) == []  # leased, not yet due again
            assert await store.next_job_at() == at(160)
            again = await store.claim("w2", at(170), 10, 60)  # w1 died: its jobs are due again
            assert sorted((j.id, j.attempts, j.worker) for j in again) == [
                ("notice:1", 2, "w2"),
                ("notice:2", 2, "w2"),
                ("notice:3", 2, "w2"),
            ]
            assert await store.finish(first[0], at(171)) is False  # no longer w1's
            assert (await store.job("notice:1")).status == RUNNING
        finally:
            await store.close()

    run(scenario())


def test_concurrent_claims_never_take_the_same_job(engine: Any) -> None:
    async def scenario() -> None:
        stores = [await engine.open()]
        if engine.name == "postgres":  # two workers, each with its own pool of connections
            stores.append(await engine.open())
        try:
            await stores[0].write(jobs=[job(n) for n in range(60)])
            claims = [stores[n % len(stores)].claim(f"w{n}", at(1), 4, 60) for n in range(20)]
            taken = [j.id for runs in await asyncio.gather(*claims) for j in runs]
            assert len(taken) == len(set(taken)) == 60
        finally:
            for store in stores:
                await store.close()

    run(scenario())


def test_finishing_writes_the_jobs_changes_with_it(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.write(inserts=[Insert(KIND, key(1), document(1))], jobs=[job(1, record=key(1))])
            (taken,) = await store.claim("w1", at(1), 1, 60)
            ok = await store.finish(
                taken,
                at(2),
                note={"to": "138****0000"},
                inserts=[Insert("audit", "AU-1", {"record": key(1)})],
                updates=[(key(1), {"status": "reminded"})],
                jobs=[job(2, due=86400)],
            )
            assert ok
            done = await store.job("notice:1")
            assert done.status == DONE and done.finished_at == at(2)
            assert done.history == [
                {
                    "at": done.history[0]["at"],
                    "attempt": 1,
                    "worker": "w1",
                    "outcome": DONE,
                    "to": "138****0000",
                }
            ]
            assert (await store.get(key(1)))["status"] == "reminded" and await store.contains("AU-1")
            assert (await store.job("notice:2")).status == QUEUED
            assert await store.finish(taken, at(3)) is False  # once
        finally:
            await store.close()

    run(scenario())


def test_a_failed_attempt_is_retried_later_then_fails_for_good_and_can_be_requeued(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        try:
            await store.write(jobs=[job(1, record=key(1), max_attempts=2)])
            (first,) = await store.claim("w1", at(1), 1, 60)
            assert await store.release(first, at(2), "连接邮件服务器超时", at(32))
            assert await store.claim("w1", at(31), 1, 60) == []  # not before the retry time
            (second,) = await store.claim("w1", at(33), 1, 60)
            assert second.attempts == 2 and second.last_attempt
            audit = Insert("audit", "AU-1", {"action": "job_failed"})
            assert await store.release(second, at(34), "邮件服务器拒绝了收件地址", None, inserts=[audit])
            failed = await store.job("notice:1")
            assert failed.status == FAILED and failed.last_error == "邮件服务器拒绝了收件地址"
            assert [h["outcome"] for h in failed.history] == [QUEUED, FAILED]
            assert [h["error"] for h in failed.history] == ["连接邮件服务器超时", "邮件服务器拒绝了收件地址"]
            assert await store.contains("AU-1")
            assert [j.id for j in await store.failed_jobs(10)] == ["notice:1"]
            assert await store.job_counts() == {QUEUED: 0, RUNNING: 0, FAILED: 1}
            assert await store.claim("w1", at(9999), 1, 60) == []

            assert await store.requeue("notice:1", at(40))
            assert not await store.requeue("notice:1", at(41))  # only a failed job
            (third,) = await store.claim("w1", at(41), 1, 60)
            assert third.attempts == 1 and len(third.history) == 2
            assert await store.failed_jobs(10) == []
        finally:
            await store.close()

    run(scenario())


def test_jobs_survive_reopening_and_a_crash_leaves_no_job_behind(engine: Any) -> None:
    async def scenario() -> None:
        store = await engine.open()
        await store.write(jobs=[job(1), job(2, due=50)])
        (taken,) = await store.claim("w1", at(1), 1, 600)
        assert taken.id == "notice:1"
        if engine.name == "embedded":
            abandon(store)  # the process dies holding notice:1
        else:
            await store.close()
        store = await engine.open()
        try:
            # embedded: one process owns the store, so its running jobs are due at once;
            # PostgreSQL: when the lease (600 s) ends, another worker takes it
            now = at(60) if engine.name == "embedded" else at(602)
            assert {j.id for j in await store.claim("w2", now, 10, 60)} == {"notice:1", "notice:2"}
        finally:
            await store.close()

    run(scenario())
