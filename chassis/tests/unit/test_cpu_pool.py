"""CpuWorkPool: the queue is bounded, urgent work keeps its share and goes first, and work
nobody waits for any more is dropped."""

import asyncio
import os
import sys
import threading

import pytest

from chassis import CpuPoolFullError, CpuWorkPool
from taskboard_testing import eventually


class Gate:
    """Stands in for the CPU work: each call waits until the test opens the gate."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.order: list[str] = []  # the jobs' names, as the threads start them

    @property
    def calls(self) -> int:
        return len(self.order)

    def work(self, name: str) -> str:
        self.order.append(name)
        self.open.wait(timeout=30)
        return name


async def started(gate: Gate, count: int) -> None:
    await eventually(lambda: asyncio.sleep(0, gate.calls), until=lambda n: n >= count)


async def queued(pool: CpuWorkPool, count: int) -> None:
    """Until ``count`` jobs wait for a thread (what the pool's order rules are about)."""
    await eventually(lambda: asyncio.sleep(0, pool.waiting), until=lambda n: n == count)


async def test_regular_work_cannot_take_the_urgent_share_and_a_full_queue_refuses_at_once() -> None:
    pool, gate = CpuWorkPool(threads=1, queue=3, reserved_for_urgent=2), Gate()
    try:
        regular = asyncio.ensure_future(pool.run(gate.work, "regular", urgent=False))
        await started(gate, 1)
        with pytest.raises(CpuPoolFullError) as refused:  # regular work holds 1 of 3 places
            await pool.run(gate.work, "regular 2", urgent=False)
        assert refused.value.regular_share
        assert pool.full_for_regular()

        urgent = [asyncio.ensure_future(pool.run(gate.work, "urgent", urgent=True)) for _ in "ab"]
        await eventually(lambda: asyncio.sleep(0, pool.pending), until=lambda n: n == 3)
        with pytest.raises(CpuPoolFullError) as refused:  # all 3 places taken
            await pool.run(gate.work, "urgent 3", urgent=True)
        assert not refused.value.regular_share

        gate.open.set()
        assert await regular == "regular"
        assert await asyncio.gather(*urgent) == ["urgent", "urgent"]
        assert not pool.full_for_regular()
        assert await pool.run(gate.work, "again", urgent=False) == "again"  # places come back
    finally:
        gate.open.set()
        pool.close()


async def test_work_whose_caller_went_away_never_runs() -> None:
    pool, gate = CpuWorkPool(threads=1, queue=3, reserved_for_urgent=2), Gate()
    try:
        running = asyncio.ensure_future(pool.run(gate.work, "first", urgent=True))
        await started(gate, 1)
        waiting = asyncio.ensure_future(pool.run(gate.work, "cancelled", urgent=True))
        await queued(pool, 1)
        waiting.cancel()  # what a disconnected client's request does to its work

        gate.open.set()
        await running
        await pool.run(gate.work, "last", urgent=True)
        assert gate.order == ["first", "last"]
    finally:
        gate.open.set()
        pool.close()


async def test_waiting_urgent_work_goes_before_every_waiting_regular_job() -> None:
    pool, gate = CpuWorkPool(threads=1, queue=5, reserved_for_urgent=1), Gate()
    try:
        regular = [asyncio.ensure_future(pool.run(gate.work, "regular", urgent=False))]
        await started(gate, 1)
        regular += [asyncio.ensure_future(pool.run(gate.work, "regular", urgent=False))]
        regular += [asyncio.ensure_future(pool.run(gate.work, "regular", urgent=False))]
        await queued(pool, 2)
        urgent = asyncio.ensure_future(pool.run(gate.work, "urgent", urgent=True))
        await queued(pool, 3)

        gate.open.set()
        await asyncio.gather(urgent, *regular)
        assert gate.order == ["regular", "urgent", "regular", "regular"]
    finally:
        gate.open.set()
        pool.close()


async def test_regular_work_leaves_a_thread_to_urgent_work() -> None:
    """Of two threads, regular work holds one at most: urgent work starts at once beside it,
    with more regular work waiting."""
    pool, gate = CpuWorkPool(threads=2, queue=8, reserved_for_urgent=2), Gate()
    try:
        regular = [
            asyncio.ensure_future(pool.run(gate.work, "regular", urgent=False)) for _ in range(3)
        ]
        await started(gate, 1)
        urgent = asyncio.ensure_future(pool.run(gate.work, "urgent", urgent=True))
        # Both threads busy, one with each: the gate is still shut, so nothing has finished.
        await started(gate, 2)
        assert gate.order == ["regular", "urgent"]

        gate.open.set()
        await asyncio.gather(urgent, *regular)
        assert sorted(gate.order) == ["regular", "regular", "regular", "urgent"]
    finally:
        gate.open.set()
        pool.close()


@pytest.mark.skipif(sys.platform != "linux", reason="niceness per thread is Linux behaviour")
async def test_the_pools_threads_run_niced_and_the_event_loop_does_not() -> None:
    pool = CpuWorkPool(threads=2, niceness=7, name="niced")
    try:
        names = await pool.run(lambda: threading.current_thread().name, urgent=True)
        niceness = await pool.run(os.getpriority, os.PRIO_PROCESS, 0, urgent=True)

        assert names.startswith("niced")
        assert niceness >= 7
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 7
    finally:
        pool.close()


def test_the_urgent_share_must_leave_room_for_regular_work() -> None:
    with pytest.raises(ValueError, match="reserved_for_urgent"):
        CpuWorkPool(queue=4, reserved_for_urgent=4)
