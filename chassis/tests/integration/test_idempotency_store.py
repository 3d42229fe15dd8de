"""The idempotency store on the real database: an effect runs once per key, its changes and the
key commit together, an expired key is pruned by retention and may be used again."""

from datetime import timedelta

import pytest
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import IdempotencyStore
from chassis.messaging.retention import MessageRetention
from chassis.persistence.idempotency_keys import KeyReusedError, StoredResponse


async def keys(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar())


async def test_a_failing_effect_keeps_no_key_and_an_expired_key_is_pruned_and_reusable(
    engine: AsyncEngine, idempotency_table: Table, outbox: Table, inbox: Table
) -> None:
    store = IdempotencyStore(engine, idempotency_table, ttl=timedelta(hours=24))
    runs: list[str] = []

    async def failing(connection: AsyncConnection) -> StoredResponse:
        await connection.execute(select(func.count()).select_from(outbox))
        raise RuntimeError("the effect failed")

    async def effect(connection: AsyncConnection) -> StoredResponse:
        runs.append("ran")
        return StoredResponse(201, {"location": "/things/1"}, b'{"id": 1}')

    with pytest.raises(RuntimeError):
        await store.run_once(caller="c", key="k", fingerprint="f", effect=failing)
    assert await keys(engine, idempotency_table) == 0

    first = await store.run_once(caller="c", key="k", fingerprint="f", effect=effect)
    again = await store.run_once(caller="c", key="k", fingerprint="f", effect=effect)
    assert (first[1], again[1], again[0].headers, runs) == (
        False,
        True,
        {"location": "/things/1"},
        ["ran"],
    )
    with pytest.raises(KeyReusedError):
        await store.run_once(caller="c", key="k", fingerprint="other", effect=effect)

    async with engine.begin() as connection:
        await connection.execute(
            update(idempotency_table).values(expires_at=func.now() - timedelta(seconds=1))
        )
    pruned = await MessageRetention(
        engine, outbox=outbox, inbox=inbox, expiring=idempotency_table
    ).prune()
    assert pruned.expired == 1
    reused = await store.run_once(caller="c", key="k", fingerprint="other", effect=effect)
    assert reused[1] is False
    assert runs == ["ran", "ran"]


async def test_keys_without_a_caller_are_refused_and_pruned_before_they_expire(
    engine: AsyncEngine, idempotency_table: Table, outbox: Table, inbox: Table
) -> None:
    """An older version kept anonymous keys with caller ''; during a rolling upgrade it may
    still write them after the migration that deleted them, so retention deletes them too."""
    store = IdempotencyStore(engine, idempotency_table, ttl=timedelta(hours=24))

    async def effect(connection: AsyncConnection) -> StoredResponse:
        return StoredResponse(201, {}, b"{}")

    with pytest.raises(ValueError, match="caller"):
        await store.run_once(caller="", key="k2", fingerprint="f", effect=effect)
    await store.run_once(caller="c2", key="k2", fingerprint="f", effect=effect)
    async with engine.begin() as connection:  # what an older replica writes
        await connection.execute(
            insert(idempotency_table).values(
                caller="",
                key="k2",
                fingerprint="f",
                status_code=201,
                headers={},
                body=b"{}",
                expires_at=func.now() + timedelta(hours=24),
            )
        )

    pruned = await MessageRetention(
        engine, outbox=outbox, inbox=inbox, expiring=idempotency_table
    ).prune()

    assert pruned.expired == 1
    async with engine.connect() as connection:
        callers = await connection.scalars(
            select(idempotency_table.c.caller).where(idempotency_table.c.key == "k2")
        )
        assert callers.all() == ["c2"]  # the scoped key, not expired, stays
