"""Inbox: the ids of messages a consumer already applied, written in the effect's transaction."""

from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def first_delivery(
    connection: AsyncConnection, inbox: Table, *, consumer: str, message_id: UUID, message_type: str
) -> bool:
    """Record the message; False when it was applied before (a redelivery or a duplicate)."""
    result = await connection.execute(
        insert(inbox)
        .values(consumer=consumer, message_id=message_id, message_type=message_type)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return result.first() is not None
