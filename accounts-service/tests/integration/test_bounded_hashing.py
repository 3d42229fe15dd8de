"""The hashing queue is bounded and logins keep their share: checks are the chassis pool's
urgent work, hashes its regular work (the pool's own rules are tested in the chassis)."""

import asyncio
import threading

import pytest

from accounts.application.ports import HashingBusyError
from accounts.domain.password import Password
from accounts.infrastructure.security import bcrypt_hasher
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
from chassis import CpuWorkPool
from taskboard_testing import eventually


class Gate:
    """Stands in for bcrypt: each call waits until the test opens the gate; calls are counted."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.order: list[str] = []  # "check" or "hash", as the threads start them

    @property
    def calls(self) -> int:
        return len(self.order)

    def checkpw(self, secret: bytes, stored: bytes) -> bool:
        self.order.append("check")
        self.open.wait(timeout=30)
        return False

    def hashpw(self, secret: bytes, salt: bytes) -> bytes:
        self.order.append("hash")
        self.open.wait(timeout=30)
        return b"$2b$04$stand-in"


def new_hasher() -> BcryptPasswordHasher:
    # The dummy hash is made with the real bcrypt before the gate is in place.
    return BcryptPasswordHasher(
        pool=CpuWorkPool(threads=1, queue=3, reserved_for_urgent=2), rounds=4
    )


async def test_registrations_cannot_take_the_logins_share_and_a_full_queue_answers_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hasher = new_hasher()
    gate = Gate()
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "checkpw", gate.checkpw)
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "hashpw", gate.hashpw)
    try:
        registration = asyncio.ensure_future(hasher.hash(Password("password1")))
        await eventually(lambda: asyncio.sleep(0, gate.calls), until=lambda n: n == 1)
        with pytest.raises(HashingBusyError):  # registrations may hold 1 of the 3 slots
            await hasher.hash(Password("password2"))
        assert hasher.full_for_hashes()  # what a registration asks before any other work

        logins = [asyncio.ensure_future(hasher.verify("x" * 8, None)) for _ in range(2)]
        await eventually(lambda: asyncio.sleep(0, hasher.pending), until=lambda n: n == 3)
        with pytest.raises(HashingBusyError):  # all 3 slots taken: answered at once
            await hasher.verify("x" * 8, None)

        gate.open.set()
        await registration
        assert await asyncio.gather(*logins) == [False, False]
        assert not hasher.full_for_hashes()
        await hasher.hash(Password("password3"))  # slots come back
    finally:
        gate.open.set()
        hasher.close()
