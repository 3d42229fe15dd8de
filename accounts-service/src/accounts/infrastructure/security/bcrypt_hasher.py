"""PasswordHasher with bcrypt, run on a bounded thread pool so the event loop stays free."""

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    storm leaves logins their share. Beyond that ``HashingBusyError`` is raised at once. Work
    whose caller was cancelled (the client went away) before a thread picked it up never runs:
    asyncio cancels the executor's future, which drops a job not yet started."""

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
        self._executor = ThreadPoolExecutor(
            max_workers=threads,
            thread_name_prefix="bcrypt",
            initializer=_yield_cpu,
            initargs=(niceness,),
        )
        # Compared against when the email is unknown, so both answers cost one checkpw.
        self._dummy_hash = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))

    async def hash(self, password: Password) -> str:
        secret = password.secret.encode("utf-8")
        salt = bcrypt.gensalt(self._rounds)
        if self._pending_hashes >= self._hash_limit:
            raise HashingBusyError("Too many registrations at once; try again shortly.")
        self._pending_hashes += 1
        try:
            hashed = await self._run(bcrypt.hashpw, secret, salt)
        finally:
            self._pending_hashes -= 1
        return hashed.decode("ascii")

    async def verify(self, secret: str, password_hash: str | None) -> bool:
        candidate = secret.encode("utf-8")
        if len(candidate) > 72:  # bcrypt 5 raises on these; no stored password is that long
            candidate = candidate[:72]
            password_hash = None
        stored = password_hash.encode("ascii") if password_hash else self._dummy_hash
        matches = await self._run(bcrypt.checkpw, candidate, stored)
        return matches and password_hash is not None

    async def _run(self, function: Callable[[bytes, bytes], T], first: bytes, second: bytes) -> T:
        if self._pending >= self._queue:
            raise HashingBusyError("Too many password checks at once; try again shortly.")
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, function, first, second)
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
