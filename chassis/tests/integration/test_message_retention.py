"""Retention on the real database: old published outbox rows and old inbox rows go, in batches;
unsent rows and recent ones stay."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import Column, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.messaging.retention import MessageRetention, Pruned, RetentionSettings

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=30)


def outbox_row(*, published_at: datetime | None) -> dict[str, object]:
    message_id = uuid4()
    return {
        "message_id": message_id,
        "message_type": "UserEmailChanged",
        "exchange": "retention-test",
        "routing_key": "user.email_changed.v1",
        "body": {"message_id": str(message_id)},
        "correlation_id": "retention-test",
        "aggregate_id": uuid4(),
        "aggregate_version": 1,
        "occurred_at": LONG_AGO,
        "created_at": LONG_AGO,
        "published_at": published_at,
    }


def inbox_row(*, processed_at: datetime) -> dict[str, object]:
    return {
        "consumer": "retention-test",
        "message_id": uuid4(),
        "message_type": "ProjectCreated",
        "processed_at": processed_at,
    }


async def test_old_published_outbox_rows_and_old_inbox_rows_are_deleted(
    engine: AsyncEngine, outbox: Table, inbox: Table
) -> None:
    old_sent = [outbox_row(published_at=LONG_AGO) for _ in range(5)]
    recent_sent = outbox_row(published_at=NOW - timedelta(hours=1))
    never_sent = outbox_row(published_at=None)
    old_seen = [inbox_row(processed_at=LONG_AGO) for _ in range(3)]
    recent_seen = inbox_row(processed_at=NOW - timedelta(hours=1))
    async with engine.begin() as connection:
        await connection.execute(insert(outbox), [*old_sent, recent_sent, never_sent])
        await connection.execute(insert(inbox), [*old_seen, recent_seen])
    retention = MessageRetention(
        engine,
        outbox=outbox,
        inbox=inbox,
        settings=RetentionSettings(outbox=timedelta(days=7), inbox=timedelta(days=7), batch_size=2),
    )

    pruned = await retention.prune()

    assert pruned == Pruned(outbox=5, inbox=3)  # in batches of 2
    kept = {recent_sent["message_id"], never_sent["message_id"]}  # unsent: however old
    assert await ids(engine, outbox.c.message_id) == kept
    assert await ids(engine, inbox.c.message_id) == {recent_seen["message_id"]}
    assert await retention.prune() == Pruned(outbox=0, inbox=0)


async def ids(engine: AsyncEngine, column: Column[UUID]) -> set[UUID]:
    async with engine.connect() as connection:
        return set((await connection.execute(select(column))).scalars())
