"""Moves outbox rows to RabbitMQ: confirmed, persistent, safe with several replicas."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from sqlalchemy import Table, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 200
    poll_interval: float = 1.0  # fallback when a wake-up is missed
    publish_timeout: float = 10.0  # a blocked broker (alarm) can stall a publish forever
    max_backoff: float = 30.0


def _columns_but_body(outbox: Table) -> tuple[Any, ...]:
    return tuple(column for column in outbox.c if column.name != "body")


class OutboxRelay:
    """Publishes unsent rows in creation order and marks each one sent only after the broker
    confirmed it. Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so replicas share the work
    without sending a row twice; a crash between confirm and commit re-sends it (consumers are
    idempotent on ``message_id``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        broker: RabbitBroker,
        outbox: Table,
        settings: RelaySettings | None = None,
    ) -> None:
        self._engine = engine
        self._broker = broker
        self._outbox = outbox
        self._settings = settings or RelaySettings()
        self._wake = asyncio.Event()
        self._exchanges: dict[str, RabbitExchange] = {}

    def wake(self) -> None:
        """Called when a commit added rows (LISTEN/NOTIFY): relay now, not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.0
        while True:
            try:
                sent = await self.relay_batch()
                backoff = 0.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - broker or database down: back off, retry
                backoff = min(max(backoff * 2, 0.5), self._settings.max_backoff)
                logger.warning("outbox relay failed (%s); retrying in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                continue
            if sent < self._settings.batch_size:
                await self._wait_for_work()

    async def relay_batch(self) -> int:
        """Publish one batch; returns how many rows were sent."""
        outbox = self._outbox
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(
                    # The body as text: it goes out as stored, never decoded and re-encoded.
                    select(*_columns_but_body(outbox), outbox.c.body.cast(Text).label("body_text"))
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.created_at, outbox.c.aggregate_version)
                    .limit(self._settings.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            results = await self._publish_all([row._mapping for row in rows])
            sent = [
                row.message_id for row, result in zip(rows, results, strict=True) if result is None
            ]
            failed = [row.message_id for row, result in zip(rows, results, strict=True) if result]
            if sent:
                await connection.execute(
                    update(outbox)
                    .where(outbox.c.message_id.in_(sent))
                    .values(published_at=func.now(), attempts=outbox.c.attempts + 1)
                )
            if failed:
                await connection.execute(
                    update(outbox)
                    .where(outbox.c.message_id.in_(failed))
                    .values(attempts=outbox.c.attempts + 1)
                )
        if failed:
            first = next(r for r in results if isinstance(r, BaseException))
            raise RuntimeError(
                f"{len(failed)} of {len(rows)} outbox messages not confirmed"
            ) from first
        return len(sent)

    async def _publish_all(self, rows: list[Any]) -> list[BaseException | None]:
        """Every row's publish in flight at once, under one deadline: a blocked broker (an
        alarm) can stall a publish forever, and a timed-out row is simply sent again later."""
        publishes = asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
        try:
            return await asyncio.wait_for(publishes, timeout=self._settings.publish_timeout)
        except TimeoutError as error:
            return [error] * len(rows)

    async def _publish(self, row: Any) -> None:
        await self._broker.publish(
            row["body_text"].encode(),
            exchange=self._exchange(row["exchange"]),
            routing_key=row["routing_key"],
            message_id=str(row["message_id"]),
            correlation_id=row["correlation_id"],
            message_type=row["message_type"],
            timestamp=row["occurred_at"],
            content_type="application/json",
            headers={
                "aggregate_id": str(row["aggregate_id"]),
                "aggregate_version": row["aggregate_version"],
                # routing keys end in the major version: user.account_created.v1
                "event_version": int(row["routing_key"].rsplit(".v", 1)[1]),
            },
            persist=True,  # FastStream's default is transient
        )

    def _exchange(self, name: str) -> RabbitExchange:
        if name not in self._exchanges:
            self._exchanges[name] = RabbitExchange(name, type=ExchangeType.TOPIC, durable=True)
        return self._exchanges[name]

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_interval)
        self._wake.clear()
