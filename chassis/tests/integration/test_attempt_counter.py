"""AttemptCounter on the real database: free attempts, then doubling delays up to a cap; a count
forgotten after its policy's quiet time or on ``forget``; kinds and subjects counted apart."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import MetaData, Table, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis import AttemptCounter, ThrottlePolicy, attempt_table

from .conftest import SCHEMA

FAILED = "failed-login"
OTHER = "registration"
POLICIES = {
    FAILED: ThrottlePolicy(free=2, base_delay=30.0, max_delay=60.0, forget_after=3600.0),
    OTHER: ThrottlePolicy(free=1, base_delay=30.0, max_delay=60.0, forget_after=3600.0),
}


@pytest.fixture
async def attempts(engine: AsyncEngine) -> AsyncIterator[Table]:
    table = attempt_table(MetaData(schema=SCHEMA))
    async with engine.begin() as connection:
        await connection.run_sync(table.metadata.create_all)
    yield table
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE {SCHEMA}.attempts"))


def test_delays_start_after_the_free_attempts_double_and_stop_at_the_cap() -> None:
    policy = ThrottlePolicy(free=3, base_delay=1.0, max_delay=10.0, forget_after=60.0)
    assert [policy.delay(n) for n in range(1, 9)] == [0, 0, 0, 1, 2, 4, 8, 10]
    assert policy.delay(10_000) == 10.0  # never permanent


async def test_past_the_free_attempts_each_one_blocks_the_next_and_forget_clears(
    engine: AsyncEngine, attempts: Table
) -> None:
    counter = AttemptCounter(engine, attempts, POLICIES)
    ada, bob = (FAILED, "ada@example.com"), (FAILED, "bob@example.com")

    await counter.count([ada, ada])  # the free allowance
    assert await counter.wait([ada]) == 0.0
    await counter.count([ada])
    assert 0 < await counter.wait([ada]) <= 30
    assert await counter.wait([bob, (OTHER, "ada@example.com")]) == 0.0  # counted apart
    assert await counter.wait([bob, ada]) > 0  # the longest wait of those asked

    await counter.forget(ada)
    assert await counter.wait([ada]) == 0.0


async def test_a_count_starts_again_after_its_quiet_time_and_long_subjects_are_cut(
    engine: AsyncEngine, attempts: Table
) -> None:
    counter = AttemptCounter(engine, attempts, POLICIES)
    client = (OTHER, "x" * 1000)  # cut to the column's 300 characters, not an error

    await counter.count([client, client])
    assert await counter.wait([client]) > 0
    async with engine.begin() as connection:  # as if the last attempt were two hours old
        await connection.execute(
            update(attempts).values(last_at=text("now() - interval '2 hours'"), blocked_until=None)
        )
    await counter.count([client])
    assert await counter.wait([client]) == 0.0  # the first of a new count: free
