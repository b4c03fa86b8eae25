"""Work in a forked child (forms_api/storage/forked.py): its result comes back, its failure
comes back as a message, and it reads the parent's memory as it was at the fork."""

from __future__ import annotations

import asyncio
import os

import pytest

from forms_api.storage.forked import ChildFailed, run_forked
from tests.test_store import run


def test_the_result_comes_back_from_another_process() -> None:
    parent = os.getpid()
    assert run(run_forked(lambda: (os.getpid() != parent, sum(range(1000))))) == (True, 499500)


def test_a_failure_comes_back_as_its_type_and_message() -> None:
    def fail() -> None:
        raise ValueError("材料类型不对")

    with pytest.raises(ChildFailed, match="ValueError: 材料类型不对"):
        run(run_forked(fail))


def test_the_child_reads_memory_as_it_was_at_the_fork() -> None:
    documents = [{"n": n} for n in range(1000)]

    async def scenario() -> tuple[int, int]:
        def slow_sum() -> int:
            import time

            time.sleep(0.3)  # the parent changes everything meanwhile
            return sum(d["n"] for d in documents)

        child = asyncio.ensure_future(run_forked(slow_sum))
        await asyncio.sleep(0.05)
        for d in documents:
            d["n"] = 0
        return await child, sum(d["n"] for d in documents)

    assert run(scenario()) == (499500, 0)


def test_the_loop_keeps_serving_while_the_child_works() -> None:
    async def scenario() -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        await run_forked(lambda: sum(i * i for i in range(3_000_000)))  # CPU work in the child
        ticker.cancel()
        return ticks

    assert run(scenario()) >= 5
