"""A service's tables as its tests read and reset them, through the service's own engine."""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine


async def unpublished(engine: AsyncEngine, outbox: Table) -> int:
    """How many rows of ``outbox`` the relay has not marked sent yet."""
    async with engine.connect() as connection:
        query = select(func.count()).where(outbox.c.published_at.is_(None))
        return int((await connection.execute(query)).scalar_one())


async def truncate(engine: AsyncEngine, *tables: str) -> None:
    """Empty ``tables`` (schema-qualified names) in one statement."""
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(tables)}"))
