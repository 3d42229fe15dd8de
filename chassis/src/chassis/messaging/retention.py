"""Deletes outbox and inbox rows once they can no longer matter, so neither table grows forever.

A published outbox row is kept for a while as a record of what was sent; an inbox row only has
to outlive every redelivery of its message (retries take seconds; a dead-lettered message that
someone moves back by hand is the long tail), so both are kept for days by default."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Delete, Table, delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.persistence.idempotency_keys import unkept

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionSettings:
    outbox: timedelta = timedelta(days=7)  # after publication
    inbox: timedelta = timedelta(days=7)  # after processing
    interval: float = 3600.0  # seconds between two prunings
    batch_size: int = 5_000  # rows per DELETE: short transactions, short locks


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int
    expired: int = 0  # idempotency keys past their expiry (or never to be kept)


class MessageRetention:
    """Replicas may prune at once: each batch skips rows another one has locked."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        outbox: Table,
        inbox: Table,
        expiring: Table | None = None,
        settings: RetentionSettings | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._inbox = inbox
        self._expiring = expiring  # the idempotency keys (``idempotency_keys``)
        self._settings = settings or RetentionSettings()

    async def run(self) -> None:
        while True:
            try:
                pruned = await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the database is down: try next time
                logger.warning("pruning the outbox and inbox failed (%s)", error)
            else:
                if pruned.outbox or pruned.inbox or pruned.expired:
                    logger.info(
                        "pruned %d outbox, %d inbox and %d expired rows",
                        pruned.outbox,
                        pruned.inbox,
                        pruned.expired,
                    )
            await asyncio.sleep(self._settings.interval)

    async def prune(self) -> Pruned:
        outbox, inbox, settings = self._outbox, self._inbox, self._settings
        sent_long_ago = (
            select(outbox.c.message_id)
            .where(outbox.c.published_at < func.now() - settings.outbox)
            .limit(settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        processed_long_ago = (
            select(inbox.c.consumer, inbox.c.message_id)
            .where(inbox.c.processed_at < func.now() - settings.inbox)
            .limit(settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        return Pruned(
            expired=await self._prune_expired(),
            outbox=await self._in_batches(
                delete(outbox).where(outbox.c.message_id.in_(sent_long_ago))
            ),
            inbox=await self._in_batches(
                delete(inbox).where(
                    tuple_(inbox.c.consumer, inbox.c.message_id).in_(processed_long_ago)
                )
            ),
        )

    async def _prune_expired(self) -> int:
        table = self._expiring
        if table is None:
            return 0
        key = list(table.primary_key.columns)
        expired = (
            select(*key)
            .where(unkept(table))
            .limit(self._settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        return await self._in_batches(delete(table).where(tuple_(*key).in_(expired)))

    async def _in_batches(self, statement: Delete) -> int:
        total = 0
        while True:
            async with self._engine.begin() as connection:
                deleted = (await connection.execute(statement)).rowcount
            total += deleted
            if deleted < self._settings.batch_size:
                return total
