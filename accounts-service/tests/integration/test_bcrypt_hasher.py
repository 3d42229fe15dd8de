"""The bcrypt adapter: real hashes, one check per answer, and hashing threads that yield the CPU."""

import os
import sys
import threading

import pytest

from accounts.domain.password import Password
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
from chassis import CpuWorkPool


async def test_a_hash_verifies_its_password_only() -> None:
    hasher = BcryptPasswordHasher(pool=CpuWorkPool(threads=1), rounds=4)
    try:
        stored = await hasher.hash(Password("correct horse"))

        assert stored.startswith("$2b$04$")
        assert await hasher.verify("correct horse", stored)
        assert not await hasher.verify("wrong horse!", stored)
        assert not await hasher.verify("correct horse", None)  # unknown email: still one check
        assert not await hasher.verify("é" * 40, stored)  # over 72 bytes: refused, no error
    finally:
        hasher.close()


@pytest.mark.skipif(sys.platform != "linux", reason="niceness per thread is Linux behaviour")
async def test_hashing_threads_run_niced_and_the_event_loop_does_not() -> None:
    before = set(threading.enumerate())
    hasher = BcryptPasswordHasher(pool=CpuWorkPool(threads=2, niceness=7, name="bcrypt"), rounds=4)
    try:
        await hasher.hash(Password("correct horse"))
        hashing = [t for t in set(threading.enumerate()) - before if t.name.startswith("bcrypt")]

        assert hashing
        assert all(os.getpriority(os.PRIO_PROCESS, t.native_id or 0) >= 7 for t in hashing)
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 7
    finally:
        hasher.close()
