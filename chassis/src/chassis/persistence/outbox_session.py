"""The session a unit of work runs in: one per ``async with``, whose commit stores the outbox
rows in the same transaction as the changes, so a change and its events never part."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chassis.telemetry.trace_context import current_trace_context


class OutboxSession:
    """The transaction an ``OutboxUnitOfWork`` runs in: a session per ``async with``, from the
    service's session factory or (``joining``) inside a caller's transaction."""

    def __init__(self, session_factory: Callable[[], AsyncSession], outbox: Table) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self._session: AsyncSession | None = None

    @classmethod
    def joining(cls, connection: AsyncConnection, outbox: Table) -> OutboxSession:
        """Sessions inside the transaction the caller has begun on ``connection`` (a
        consumer's, which holds its inbox row): each runs in a SAVEPOINT, so its commit only
        releases the savepoint and nothing is durable before the caller commits; a failure
        rolls back to the savepoint and leaves the caller's transaction usable."""
        return cls(
            lambda: AsyncSession(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            ),
            outbox,
        )

    def open(self) -> AsyncSession:
        self._session = self._session_factory()
        return self._session

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside 'async with'.")
        return self._session

    async def close(self) -> None:
        # close() ends any open transaction (rolling it back, releasing row locks) and detaches
        # the aggregates with their loaded state, so the caller can still read what it got;
        # rollback() would expire that state first.
        await self.session.close()
        self._session = None

    async def commit(self, rows: Sequence[dict[str, Any]]) -> None:
        """Flush the changes, add the outbox ``rows`` (each keeping the trace context of this
        transaction), commit. On failure the transaction is rolled back and the error raised for
        the unit of work to name."""
        try:
            await self.session.flush()
            if rows:
                trace_context = current_trace_context()
                await self.session.execute(
                    insert(self._outbox), [{**row, "trace_context": trace_context} for row in rows]
                )
            await self.session.commit()
        except BaseException:
            await self.session.rollback()
            raise

    async def rollback(self) -> None:
        await self.session.rollback()
