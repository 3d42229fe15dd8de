"""Repository and unit of work against the real database."""

import asyncio
import dataclasses
from uuid import UUID

import pytest
from sqlalchemy import func, select

from accounts.application.commands import RegisterUser
from accounts.application.user_handlers import register_user
from accounts.bootstrap import Container
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import ConcurrentUpdateError, EmailAddressAlreadyTakenError
from accounts.domain.user import User
from accounts.infrastructure.persistence import unit_of_work as uow_module
from accounts.infrastructure.persistence.tables import outbox, users
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
from chassis import CpuWorkPool, correlation_id


async def count(container: Container, table) -> int:  # type: ignore[no-untyped-def]
    async with container.platform.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(table))).scalar_one()


async def store(container: Container, *new: User) -> None:
    uow = container.uow()
    async with uow as users_:
        for user in new:
            users_.add(user)
        await uow.commit()


async def stored(container: Container, user_id: UUID) -> User:
    async with container.uow() as users_:
        user = await users_.get(user_id)
    assert user is not None
    return user


async def test_a_user_round_trips_with_its_value_objects(container: Container) -> None:
    user = User.register(email=EmailAddress("Ada@Example.com"), password_hash="hash")
    await store(container, user)

    async with container.uow() as users_:
        loaded = await users_.get_by_email(EmailAddress("ADA@example.COM"))

    assert loaded is not None
    assert loaded is not user
    assert (loaded.id, loaded.email, loaded.password_hash, loaded.version) == (
        user.id,
        EmailAddress("Ada@example.com"),
        "hash",
        1,
    )
    assert loaded.events == []


async def test_registration_writes_the_user_and_its_outbox_row_together(
    container: Container,
) -> None:
    token = correlation_id.set("req-42")
    try:
        user = await register_user(
            RegisterUser("ada@example.com", "password1"), container.uow(), container.hasher
        )
    finally:
        correlation_id.reset(token)

    async with container.platform.engine.connect() as connection:
        row = (await connection.execute(select(outbox))).one()
    assert row.message_type == "UserAccountCreated"
    assert row.exchange == "accounts.events"
    assert row.routing_key == "user.account_created.v1"
    assert row.aggregate_id == user.id
    assert row.aggregate_version == 1
    assert row.correlation_id == "req-42"
    assert row.body["message_id"] == str(row.message_id)
    assert row.body["correlation_id"] == "req-42"
    assert row.body["payload"] == {"user_id": str(user.id), "email": "ada@example.com"}


async def test_a_failure_after_the_user_insert_leaves_neither_user_nor_event(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_contract(*args: object, **kwargs: object) -> object:
        raise RuntimeError("outbox write failed")

    broken = dataclasses.replace(uow_module.USER_EVENTS, contract=broken_contract)
    monkeypatch.setattr(uow_module, "USER_EVENTS", broken)
    with pytest.raises(RuntimeError, match="outbox write failed"):
        await register_user(
            RegisterUser("ada@example.com", "password1"), container.uow(), container.hasher
        )

    assert await count(container, users) == 0
    assert await count(container, outbox) == 0


async def test_concurrent_registrations_of_one_address_leave_exactly_one_user(
    container: Container,
) -> None:
    # A hashing queue with room for all of them: whether they hash at once depends on the
    # machine's speed, and the race under test is the database's, not the queue's.
    hasher = BcryptPasswordHasher(pool=CpuWorkPool(queue=16, reserved_for_urgent=0), rounds=4)
    attempts = [
        register_user(RegisterUser(email, "password1"), container.uow(), hasher)
        for email in ["race@example.com", "RACE@example.com", "Race@Example.com"] * 3
    ]
    try:
        results = await asyncio.gather(*attempts, return_exceptions=True)
    finally:
        hasher.close()

    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if isinstance(r, EmailAddressAlreadyTakenError)]
    assert len(winners) == 1
    assert len(losers) == len(attempts) - 1
    assert await count(container, users) == 1
    assert await count(container, outbox) == 1


async def test_a_change_to_an_address_taken_meanwhile_is_refused_as_taken(
    container: Container,
) -> None:
    # Two users who change to one address at once both pass the handler's check; the loser
    # meets the unique index at commit. The check is skipped here to be that loser every time.
    ada = User.register(email=EmailAddress("ada@example.com"), password_hash="hash")
    bob = User.register(email=EmailAddress("bob@example.com"), password_hash="hash")
    await store(container, ada, bob)

    uow = container.uow()
    async with uow as users_:
        loaded = await users_.get(bob.id)
        assert loaded is not None
        loaded.change_email(EmailAddress("ADA@example.com"))
        with pytest.raises(EmailAddressAlreadyTakenError):
            await uow.commit()

    bob_now = await stored(container, bob.id)
    assert (bob_now.email.value, bob_now.version) == ("bob@example.com", 1)
    assert await count(container, outbox) == 2  # the two registrations only


async def test_a_stale_write_is_refused_rather_than_overwriting(container: Container) -> None:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="hash")
    await store(container, user)

    first, second = container.uow(), container.uow()
    async with first as first_users, second as second_users:
        mine = await first_users.get(user.id)
        theirs = await second_users.get(user.id)
        assert mine is not None
        assert theirs is not None
        mine.change_email(EmailAddress("mine@example.com"))
        theirs.change_email(EmailAddress("theirs@example.com"))
        await first.commit()
        with pytest.raises(ConcurrentUpdateError):
            await second.commit()

    now = await stored(container, user.id)
    assert (now.email.value, now.version) == ("mine@example.com", 2)
    assert await count(container, outbox) == 2  # created + the one change that won
