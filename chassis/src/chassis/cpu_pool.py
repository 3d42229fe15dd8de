"""A bounded pool of threads for CPU-bound work (password hashing, say), so the event loop stays
free and an overload is refused at once instead of queueing without end."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class CpuPoolFullError(Exception):
    """The pool holds all the work it may: answer at once (503, try again soon).
    ``regular_share`` says the regular work's share was full, not the whole queue."""

    def __init__(self, *, regular_share: bool) -> None:
        self.regular_share = regular_share
        super().__init__("regular work holds its share" if regular_share else "the queue is full")


def _yield_cpu(niceness: int) -> None:
    """Run this thread at a lower CPU priority: on Linux niceness is per thread."""
    if niceness and sys.platform == "linux":
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(current, niceness))


class CpuWorkPool:
    """Two kinds of work: urgent (a login's check, say) and regular (a registration's hash).

    A function that releases the GIL runs on as many threads as there are cores; the threads
    are niced so that requests needing no such work keep their cores. At most ``queue`` jobs
    wait or run at once, regular ones at most ``queue - reserved_for_urgent``; beyond that
    ``CpuPoolFullError`` is raised at once. A job reaches a thread only when one is free, a
    waiting urgent job goes before every waiting regular one, and regular jobs run on at most
    ``threads - 1`` threads at once (all when there is one), so an urgent job waits for one
    other urgent job at most. A job whose caller was cancelled before a thread took it never
    runs; a started one runs to its end."""

    def __init__(
        self,
        *,
        threads: int = 2,
        niceness: int = 0,
        queue: int = 16,
        reserved_for_urgent: int = 8,
        name: str = "cpu-work",
    ) -> None:
        if not 0 <= reserved_for_urgent < queue:
            raise ValueError("reserved_for_urgent must be at least 0 and less than queue")
        self._queue = queue
        self._regular_limit = queue - reserved_for_urgent
        self._pending = 0  # jobs waiting or running
        self._pending_regular = 0
        self._threads = threads
        self._busy = 0  # jobs handed to a thread and not finished
        self._busy_regular = 0  # of which regular
        self._regular_threads = max(1, threads - 1)  # a thread kept for urgent work, of two
        self._waiting_urgent: deque[asyncio.Future[None]] = deque()
        self._waiting_regular: deque[asyncio.Future[None]] = deque()
        self._executor = ThreadPoolExecutor(
            max_workers=threads,
            thread_name_prefix=name,
            initializer=_yield_cpu,
            initargs=(niceness,),
        )

    @property
    def pending(self) -> int:
        """Jobs waiting for a thread or running (what the queue bound counts)."""
        return self._pending

    @property
    def waiting(self) -> int:
        """Jobs waiting for a thread."""
        return len(self._waiting_urgent) + len(self._waiting_regular)

    def full_for_regular(self) -> bool:
        """Whether regular work asked now would be refused (a hint: ``run`` decides)."""
        return self._pending_regular >= self._regular_limit or self._pending >= self._queue

    async def run(self, function: Callable[..., T], *args: Any, urgent: bool) -> T:
        """``function(*args)`` on a thread of the pool, or ``CpuPoolFullError`` at once."""
        if not urgent and self._pending_regular >= self._regular_limit:
            raise CpuPoolFullError(regular_share=True)
        if self._pending >= self._queue:
            raise CpuPoolFullError(regular_share=False)
        self._pending += 1
        self._pending_regular += not urgent
        try:
            await self._thread_free(urgent=urgent)
            loop = asyncio.get_running_loop()
            job = self._executor.submit(function, *args)

            def finished(_: Future[T]) -> None:  # on the thread, or here when cancelled
                with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                    loop.call_soon_threadsafe(self._release, urgent)

            job.add_done_callback(finished)
            # Cancelling this drops a job no thread has started; a started one runs to its end
            # and frees its thread then.
            return await asyncio.wrap_future(job)
        finally:
            self._pending -= 1
            self._pending_regular -= not urgent

    async def _thread_free(self, *, urgent: bool) -> None:
        """Return once a thread is this job's: at once if one is idle and nobody waits."""
        # Urgent work passes waiting regular work; regular work passes nobody.
        ahead = self._waiting_urgent if urgent else (self._waiting_urgent or self._waiting_regular)
        if not ahead and self._may_start(urgent):
            self._take(urgent)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting_urgent if urgent else self._waiting_regular
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(urgent)  # handed a thread as the caller went away: pass it on
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _may_start(self, urgent: bool) -> bool:
        if self._busy >= self._threads:
            return False
        return urgent or self._busy_regular < self._regular_threads

    def _take(self, urgent: bool) -> None:
        self._busy += 1
        self._busy_regular += not urgent

    def _release(self, urgent: bool) -> None:
        """A thread is free: it goes to the first waiting urgent job, else to the first waiting
        regular one (when regular work does not hold its share of the threads already)."""
        self._busy -= 1
        self._busy_regular -= not urgent
        for kind, queue in ((True, self._waiting_urgent), (False, self._waiting_regular)):
            while queue and self._may_start(kind):
                waiter = queue.popleft()
                if not waiter.done():  # not cancelled meanwhile
                    waiter.set_result(None)
                    self._take(kind)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
