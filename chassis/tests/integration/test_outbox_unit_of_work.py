"""OutboxUnitOfWork on the real database: the aggregates' changes and the outbox rows of their
events commit together or not at all, and a violated constraint becomes the service's error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import registry

from chassis import (
    MessageTables,
    OutboxEvents,
    OutboxSession,
    OutboxUnitOfWork,
    SeenAggregates,
    correlation_id,
    map_aggregate,
)
from contracts import ACCOUNTS_PRODUCER, Envelope, UserAccountCreated

from .conftest import SCHEMA

things = Table(
    "uow_things",
    MetaData(schema=SCHEMA),
    Column("id", Uuid, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("version", Integer, nullable=False),
)
NAME_UNIQUE = "uow_things_name_key"  # PostgreSQL's name for the column's unique constraint


@dataclass(eq=False)
class Thing:
    """An aggregate of the test's own, raising one event when made."""

    name: str
    id: UUID = field(default_factory=uuid4)
    version: int = 1
    events: list[Any] = field(default_factory=list)


map_aggregate(registry(), Thing, things, properties={})


@dataclass(frozen=True)
class ThingMade:
    thing_id: UUID
    version: int
    occurred_at: datetime


class Things:
    def __init__(self, session: AsyncSession, seen: SeenAggregates[Thing]) -> None:
        self._session, self._seen = session, seen

    async def get(self, thing_id: UUID) -> Thing | None:
        return self._seen.see(await self._session.get(Thing, thing_id))

    def make(self, name: str) -> Thing:
        thing = Thing(name)
        thing.events.append(ThingMade(thing.id, 1, datetime.now(UTC)))
        self._session.add(self._seen.see(thing))
        return thing


class NameTakenError(Exception):
    pass


class ChangedMeanwhileError(Exception):
    pass


EVENTS = OutboxEvents(
    producer=ACCOUNTS_PRODUCER,
    contract=lambda event: UserAccountCreated(user_id=event.thing_id, email="a@example.com"),
    aggregate=lambda event: (event.thing_id, event.version),
)


@pytest.fixture
async def sessions(
    engine: AsyncEngine, outbox: object
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with engine.begin() as connection:
        await connection.run_sync(things.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {SCHEMA}.uow_things"))


def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], tables: MessageTables
) -> OutboxUnitOfWork[Thing, Things]:
    return OutboxUnitOfWork(
        OutboxSession(sessions, tables.outbox),
        repository=Things,
        events=EVENTS,
        stale=ChangedMeanwhileError,
        conflicts={NAME_UNIQUE: NameTakenError},
    )


async def counts(engine: AsyncEngine, tables: MessageTables) -> tuple[int, int]:
    async with engine.connect() as connection:
        return (
            (await connection.execute(select(func.count()).select_from(things))).scalar_one(),
            (
                await connection.execute(select(func.count()).select_from(tables.outbox))
            ).scalar_one(),
        )


async def test_the_changes_and_the_outbox_rows_commit_together(
    engine: AsyncEngine, tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    uow = unit_of_work(sessions, tables)
    token = correlation_id.set("req-7")
    try:
        async with uow as repository:
            thing = repository.make("first")
            await uow.commit()
    finally:
        correlation_id.reset(token)

    async with engine.connect() as connection:
        row = (await connection.execute(select(tables.outbox))).one()
    envelope = Envelope[UserAccountCreated].model_validate(row.body)
    assert (row.aggregate_id, row.aggregate_version, row.correlation_id) == (thing.id, 1, "req-7")
    assert (envelope.producer, envelope.payload.user_id) == (ACCOUNTS_PRODUCER, thing.id)
    assert thing.events == []  # taken once


async def test_leaving_without_commit_stores_nothing_and_the_work_can_be_entered_again(
    engine: AsyncEngine, tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    uow = unit_of_work(sessions, tables)
    async with uow as repository:
        repository.make("never stored")
    assert await counts(engine, tables) == (0, 0)

    async with uow as repository:
        repository.make("stored")
        await uow.commit()
    assert await counts(engine, tables) == (1, 1)


async def test_a_named_constraint_becomes_the_services_error_and_nothing_is_stored(
    engine: AsyncEngine, tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = unit_of_work(sessions, tables), unit_of_work(sessions, tables)
    async with first as repository:
        repository.make("twin")
        await first.commit()

    async with second as repository:
        repository.make("twin")
        with pytest.raises(NameTakenError):
            await second.commit()
    assert await counts(engine, tables) == (1, 1)


async def test_a_change_that_collides_with_a_committed_twin_becomes_the_services_error(
    engine: AsyncEngine, tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # The failed UPDATE rolls the transaction back and so expires the loaded aggregate: the
    # service's error must come out without reading it (it used to, and answered 500).
    uow = unit_of_work(sessions, tables)
    async with uow as repository:
        mine = repository.make("mine")
        repository.make("taken")
        await uow.commit()

    async with uow as repository:
        loaded = await repository.get(mine.id)
        assert loaded is not None
        loaded.name, loaded.version = "taken", loaded.version + 1
        with pytest.raises(NameTakenError):
            await uow.commit()
    assert await counts(engine, tables) == (2, 2)


async def test_a_constraint_not_named_is_raised_as_it_is(
    engine: AsyncEngine, tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    uow = OutboxUnitOfWork(
        OutboxSession(sessions, tables.outbox),
        repository=Things,
        events=EVENTS,
        stale=ChangedMeanwhileError,
    )
    for _ in range(2):
        async with uow as repository:
            repository.make("twin")
            if await counts(engine, tables) == (0, 0):
                await uow.commit()
            else:
                with pytest.raises(Exception, match="uow_things_name_key") as raised:
                    await uow.commit()
                assert not isinstance(raised.value, NameTakenError)


async def test_a_stale_write_becomes_the_services_error_and_a_loaded_aggregate_has_no_events(
    tables: MessageTables, sessions: async_sessionmaker[AsyncSession]
) -> None:
    uow, first, second = (unit_of_work(sessions, tables) for _ in range(3))
    async with uow as repository:
        made = repository.make("shared")
        await uow.commit()

    async with first as mine, second as theirs:
        loaded, other = await mine.get(made.id), await theirs.get(made.id)
        assert loaded is not None
        assert other is not None
        assert loaded.events == []  # set on load: loading bypasses __init__
        for thing, name in ((loaded, "mine"), (other, "theirs")):
            thing.name, thing.version = name, thing.version + 1
        await first.commit()
        with pytest.raises(ChangedMeanwhileError):
            await second.commit()
