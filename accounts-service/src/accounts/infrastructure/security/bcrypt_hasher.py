"""PasswordHasher with bcrypt, run on a bounded thread pool so the event loop stays free."""

import asyncio
import contextlib
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import bcrypt

from accounts.application.ports import HashingBusyError, PasswordHasher
from accounts.domain.password import Password

T = TypeVar("T")


def _yield_cpu(niceness: int) -> None:
    """Run this (hashing) thread at a lower CPU priority: on Linux niceness is per thread."""
    if niceness and sys.platform == "linux":
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(current, niceness))


class BcryptPasswordHasher(PasswordHasher):
    """bcrypt releases the GIL, so one thread per core gives the machine's full hashing rate
    while requests that need no hashing keep being served by the event loop.

    The hashing threads run niced: each check is a quarter second of pure CPU, so under a login
    storm they would otherwise take every core from the threads that answer in a millisecond.
    Niced, they still get every cycle nothing else wants.

    The queue is bounded: at most ``queue`` checks and hashes wait or run at once, and hashes
    (registrations, new passwords) at most ``queue - reserved_for_checks``, so a registration
    storm leaves logins their share. Beyond that ``HashingBusyError`` is raised at once. A job
    reaches a thread only when one is free, and a waiting check goes before every waiting hash;
    hashes run on at most ``threads - 1`` threads at once (all of them when there is one), so
    during a registration storm a login finds a thread free or waits for one check at most,
    never behind registrations, running or queued. Work
    whose caller was cancelled (the client went away) before a thread picked it up never runs."""

    def __init__(
        self,
        *,
        rounds: int = 12,
        threads: int = 2,
        niceness: int = 0,
        queue: int = 16,
        reserved_for_checks: int = 8,
    ) -> None:
        if not 0 <= reserved_for_checks < queue:
            raise ValueError("reserved_for_checks must be at least 0 and less than queue")
        self._rounds = rounds
        self._queue = queue
        self._hash_limit = queue - reserved_for_checks
        self._pending = 0  # checks and hashes waiting or running
        self._pending_hashes = 0
        self._threads = threads
        self._busy = 0  # jobs handed to a thread and not finished
        self._busy_hashes = 0  # of which hashes
        self._hash_threads = max(1, threads - 1)  # a thread kept for checks, when there are two
        self._waiting_checks: deque[asyncio.Future[None]] = deque()
        self._waiting_hashes: deque[asyncio.Future[None]] = deque()
        self._executor = ThreadPoolExecutor(
            max_workers=threads,
            thread_name_prefix="bcrypt",
            initializer=_yield_cpu,
            initargs=(niceness,),
        )
        # Compared against when the email is unknown, so both answers cost one checkpw.
        self._dummy_hash = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))

    @property
    def pending(self) -> int:
        """Checks and hashes waiting for a thread or running (what the queue bound counts)."""
        return self._pending

    @property
    def waiting(self) -> int:
        """Checks and hashes waiting for a thread."""
        return len(self._waiting_checks) + len(self._waiting_hashes)

    def full_for_hashes(self) -> bool:
        return self._pending_hashes >= self._hash_limit or self._pending >= self._queue

    async def hash(self, password: Password) -> str:
        secret = password.secret.encode("utf-8")
        salt = bcrypt.gensalt(self._rounds)
        if self._pending_hashes >= self._hash_limit:
            raise HashingBusyError("Too many registrations at once; try again shortly.")
        self._pending_hashes += 1
        try:
            hashed = await self._run(bcrypt.hashpw, secret, salt, check=False)
        finally:
            self._pending_hashes -= 1
        return hashed.decode("ascii")

    async def verify(self, secret: str, password_hash: str | None) -> bool:
        candidate = secret.encode("utf-8")
        if len(candidate) > 72:  # bcrypt 5 raises on these; no stored password is that long
            candidate = candidate[:72]
            password_hash = None
        stored = password_hash.encode("ascii") if password_hash else self._dummy_hash
        matches = await self._run(bcrypt.checkpw, candidate, stored, check=True)
        return matches and password_hash is not None

    async def _run(
        self, function: Callable[[bytes, bytes], T], first: bytes, second: bytes, *, check: bool
    ) -> T:
        if self._pending >= self._queue:
            raise HashingBusyError("Too many password checks at once; try again shortly.")
        self._pending += 1
        try:
            await self._thread_free(check=check)
            loop = asyncio.get_running_loop()
            job = self._executor.submit(function, first, second)

            def finished(_: Future[T]) -> None:  # on the thread, or here when cancelled
                with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                    loop.call_soon_threadsafe(self._release, check)

            job.add_done_callback(finished)
            # Cancelling this drops a job no thread has started; a started one runs to its end
            # (bcrypt cannot be interrupted) and frees its thread then.
            return await asyncio.wrap_future(job)
        finally:
            self._pending -= 1

    async def _thread_free(self, *, check: bool) -> None:
        """Return once a thread is this job's: at once if one is idle and nobody waits."""
        # Checks go before hashes: a check passes waiting hashes, a hash passes nobody.
        ahead = self._waiting_checks if check else (self._waiting_checks or self._waiting_hashes)
        if not ahead and self._may_start(check):
            self._take(check)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting_checks if check else self._waiting_hashes
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(check)  # handed a thread as the caller went away: pass it on
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _may_start(self, check: bool) -> bool:
        if self._busy >= self._threads:
            return False
        return check or self._busy_hashes < self._hash_threads

    def _take(self, check: bool) -> None:
        self._busy += 1
        if not check:
            self._busy_hashes += 1

    def _release(self, check: bool) -> None:
        """A thread is free: it goes to the first waiting check, else the first waiting hash
        (when hashes do not hold their share of the threads already)."""
        self._busy -= 1
        if not check:
            self._busy_hashes -= 1
        for kind, queue in ((True, self._waiting_checks), (False, self._waiting_hashes)):
            while queue and self._may_start(kind):
                waiter = queue.popleft()
                if not waiter.done():  # not cancelled meanwhile
                    waiter.set_result(None)
                    self._take(kind)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
