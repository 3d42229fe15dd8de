"""The hashing queue is bounded, logins keep their share, and work nobody waits for is dropped."""

import asyncio
import threading

import pytest

from accounts.application.ports import HashingBusyError
from accounts.domain.password import Password
from accounts.infrastructure.security import bcrypt_hasher
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
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
    return BcryptPasswordHasher(rounds=4, threads=1, queue=3, reserved_for_checks=2)


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


async def test_a_check_whose_caller_went_away_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = new_hasher()
    gate = Gate()
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "checkpw", gate.checkpw)
    try:
        running = asyncio.ensure_future(hasher.verify("x" * 8, None))
        await eventually(lambda: asyncio.sleep(0, gate.calls), until=lambda n: n == 1)
        waiting = asyncio.ensure_future(hasher.verify("y" * 8, None))
        await eventually(lambda: asyncio.sleep(0, hasher.waiting), until=lambda n: n == 1)
        waiting.cancel()  # what a disconnected client's request does to its work

        gate.open.set()
        await running
        await hasher.verify("z" * 8, None)  # runs after the cancelled one would have
        assert gate.calls == 2  # the first and the last: the cancelled one never started
    finally:
        gate.open.set()
        hasher.close()


async def test_a_waiting_login_goes_before_every_waiting_registration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A login waits only for the work already running, never behind a registration storm."""
    hasher = BcryptPasswordHasher(rounds=4, threads=1, queue=5, reserved_for_checks=1)
    gate = Gate()
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "checkpw", gate.checkpw)
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "hashpw", gate.hashpw)
    try:
        registrations = [asyncio.ensure_future(hasher.hash(Password("password1")))]
        await eventually(lambda: asyncio.sleep(0, gate.calls), until=lambda n: n == 1)
        registrations += [asyncio.ensure_future(hasher.hash(Password("password2")))]
        registrations += [asyncio.ensure_future(hasher.hash(Password("password3")))]
        await eventually(lambda: asyncio.sleep(0, hasher.waiting), until=lambda n: n == 2)
        login = asyncio.ensure_future(hasher.verify("x" * 8, None))
        await eventually(lambda: asyncio.sleep(0, hasher.waiting), until=lambda n: n == 3)

        gate.open.set()
        await asyncio.gather(login, *registrations)
        assert gate.order == ["hash", "check", "hash", "hash"]
    finally:
        gate.open.set()
        hasher.close()


async def test_registrations_leave_a_thread_to_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Of two threads, hashes hold one at most: a login starts at once beside a running
    registration, with more registrations waiting, instead of waiting for one to end."""
    hasher = BcryptPasswordHasher(rounds=4, threads=2, queue=8, reserved_for_checks=2)
    gate = Gate()
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "checkpw", gate.checkpw)
    monkeypatch.setattr(bcrypt_hasher.bcrypt, "hashpw", gate.hashpw)
    try:
        registrations = [
            asyncio.ensure_future(hasher.hash(Password(f"password{i}"))) for i in range(3)
        ]
        await eventually(lambda: asyncio.sleep(0, gate.calls), until=lambda n: n >= 1)
        login = asyncio.ensure_future(hasher.verify("x" * 8, None))
        # Both threads busy, one with each: the gate is still shut, so nothing has finished.
        await eventually(lambda: asyncio.sleep(0, list(gate.order)), until=lambda o: len(o) == 2)
        assert gate.order == ["hash", "check"]

        gate.open.set()
        await asyncio.gather(login, *registrations)
        assert sorted(gate.order) == ["check", "hash", "hash", "hash"]
    finally:
        gate.open.set()
        hasher.close()
