"""Moves outbox rows to RabbitMQ: confirmed, persistent, safe with several replicas."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aio_pika import DeliveryMode, Message
from aio_pika.abc import AbstractExchange
from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from opentelemetry.trace import SpanKind, Tracer
from sqlalchemy import (
    Row,
    Select,
    Table,
    Text,
    Update,
    Uuid,
    any_,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis.telemetry.messaging_metrics import MessagingMetrics
from chassis.telemetry.trace_context import context_from, current_trace_context, trace_headers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 200
    max_in_flight: int = 256  # unconfirmed publishes, an equal share for each claimed batch
    max_batches: int = 3  # claimed at once: each holds a pooled connection and its row locks
    poll_interval: float = 1.0  # fallback when a wake-up is missed
    publish_timeout: float = 10.0  # a blocked broker (alarm) can stall a publish forever
    max_backoff: float = 30.0


class OutboxRelay:
    """Publishes unsent rows oldest first and marks each one sent only after the broker
    confirmed it. Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so replicas share the work
    without sending a row twice; a crash between confirm and commit re-sends it (consumers are
    idempotent on ``message_id`` and tolerate any order). The next batch is claimed while
    earlier ones still await their confirms, so publishing never waits for the database."""

    def __init__(
        self,
        engine: AsyncEngine,
        broker: RabbitBroker,
        outbox: Table,
        settings: RelaySettings | None = None,
        *,
        app_id: str,
        tracer: Tracer | None = None,
        metrics: MessagingMetrics | None = None,
    ) -> None:
        self._engine = engine
        self._tracer = tracer
        self._metrics = metrics
        self._broker = broker
        self._outbox = outbox
        self._settings = settings = settings or RelaySettings()
        self._app_id = app_id
        self._claim = _claim_query(outbox, settings.batch_size)
        by_ids = _update_by_ids(outbox)
        self._mark_sent = by_ids.values(published_at=func.now(), attempts=outbox.c.attempts + 1)
        self._count_attempt = by_ids.values(attempts=outbox.c.attempts + 1)
        self._wake = asyncio.Event()
        self._batch_slots = asyncio.Semaphore(settings.max_batches)
        self._batches: set[asyncio.Task[None]] = set()
        self._failure: Exception | None = None  # of a batch since the last claim
        self._backoff = 0.0  # grows while batches fail, back to 0 when one goes through
        self.claims = 0  # claims made, empty ones included
        # Why the relay cannot publish now (readiness says it), None while it can.
        self.problem: str | None = None

    def wake(self) -> None:
        """Called when a commit added rows (LISTEN/NOTIFY): relay now, not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                try:
                    claimed = await self.claim_batch()
                except Exception as error:  # noqa: BLE001 - broker or database down: back off
                    self.problem = f"{type(error).__name__}: {error}"[:200]
                    self._backoff = min(max(self._backoff * 2, 0.5), self._settings.max_backoff)
                    logger.warning(
                        "outbox relay failed (%s); retrying in %.1fs", error, self._backoff
                    )
                    await asyncio.sleep(self._backoff)
                    continue
                if not claimed and self.problem is not None:
                    await self._check_broker()
                if claimed < self._settings.batch_size:
                    await self._wait_for_work()
        finally:
            for batch in self._batches:
                batch.cancel()
            await asyncio.gather(*self._batches, return_exceptions=True)

    async def _check_broker(self) -> None:
        # Nothing to send says nothing about the broker: ask it, so that an idle relay is not
        # reported down for ever after an outage.
        with contextlib.suppress(Exception):
            if await self._broker.ping(timeout=1.0):
                self.problem = None

    async def claim_batch(self) -> int:
        """Claim the next batch and relay it in the background; returns how many rows were
        claimed as soon as they are locked. Raises first what made an earlier batch fail, so
        that the caller backs off instead of claiming the same rows again at once."""
        await self._batch_slots.acquire()
        if self._failure is not None:
            self._batch_slots.release()
            failure, self._failure = self._failure, None
            raise failure
        claimed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        batch = asyncio.create_task(self._relay_batch(claimed), name="outbox-relay-batch")
        self._batches.add(batch)
        batch.add_done_callback(self._batches.discard)
        return await claimed

    async def _relay_batch(self, claimed: asyncio.Future[int]) -> None:
        try:
            async with self._engine.begin() as connection:
                rows = (await connection.execute(self._claim)).all()
                self.claims += 1
                if not claimed.done():
                    claimed.set_result(len(rows))
                errors = await self._publish_and_mark(connection, rows) if rows else []
            if errors:
                raise RuntimeError(
                    f"{len(errors)} of {len(rows)} outbox messages not confirmed"
                ) from errors[0]
            if rows:  # an empty claim says nothing about the broker
                self._backoff = 0.0
                logger.info(
                    "relayed %d messages (%s)", len(rows), _types(row.message_type for row in rows)
                )
                self.problem = None
        except Exception as error:  # noqa: BLE001 - the claiming loop raises it and backs off
            if claimed.done():
                self._failure = error
            else:
                claimed.set_exception(error)
        finally:
            if not claimed.done():
                claimed.cancel()
            self._batch_slots.release()

    async def _publish_and_mark(
        self, connection: AsyncConnection, rows: Sequence[Row[Any]]
    ) -> list[BaseException]:
        """Marks the confirmed rows sent and counts an attempt on every row; returns why the
        others were not confirmed."""
        results = await self._publish_all(rows)
        sent = [row.message_id for row, error in zip(rows, results, strict=True) if error is None]
        failed = [row.message_id for row, error in zip(rows, results, strict=True) if error]
        if sent:
            await connection.execute(self._mark_sent, {"ids": sent})
            if self._metrics is not None:
                self._metrics.relay_published.inc(len(sent))
        if failed:
            await connection.execute(self._count_attempt, {"ids": failed})
        return [error for error in results if error is not None]

    async def _publish_all(self, rows: Sequence[Row[Any]]) -> list[BaseException | None]:
        """Each row's publish, a share of ``max_in_flight`` at once, all under one deadline:
        a blocked broker (an alarm) can stall a publish forever. A row confirmed in time is
        marked sent; any other is sent again later (it may have arrived all the same:
        consumers are idempotent)."""
        exchanges = {name: await self._exchange(name) for name in {row.exchange for row in rows}}
        timeout = TimeoutError(f"not confirmed within {self._settings.publish_timeout}s")
        results: list[BaseException | None] = [timeout] * len(rows)
        queued = iter(enumerate(rows))

        async def publisher() -> None:
            for index, row in queued:
                try:
                    await self._publish(exchanges[row.exchange], row)
                except Exception as error:  # noqa: BLE001 - the row stays unsent, tried again
                    results[index] = error
                else:
                    results[index] = None

        share = max(1, self._settings.max_in_flight // self._settings.max_batches)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._settings.publish_timeout):
                await asyncio.gather(*(publisher() for _ in range(min(share, len(rows)))))
        return results

    async def _exchange(self, name: str) -> AbstractExchange | Exception:
        """The broker's aio-pika exchange on its channel with publisher confirms (FastStream
        caches it after the first look-up); a failed look-up fails the rows sent to it."""
        try:
            # Looked up, not declared: the service declares the exchange it owns at start-up.
            return await self._broker.declare_exchange(
                RabbitExchange(name, type=ExchangeType.TOPIC, durable=True, declare=False)
            )
        except Exception as error:  # noqa: BLE001 - counted as a failed attempt of each row
            return error

    async def _publish(self, exchange: AbstractExchange | Exception, row: Row[Any]) -> None:
        if isinstance(exchange, Exception):
            raise exchange
        # Straight to aio-pika: FastStream's publish path costs as much CPU again per message.
        # Not mandatory: an event no queue is bound to yet (UserEmailChanged has no consumer)
        # is confirmed and dropped by the broker, instead of sent back whole and ignored here.
        stored = row.trace_context  # of the transaction that wrote the row, if it was traced
        if self._tracer is None or stored is None:
            # Untraced here: the stored context goes out as it is, so the trace still joins.
            message = self._message(row, trace_headers(stored))
            await exchange.publish(message, routing_key=row.routing_key, mandatory=False)
            return
        # A producer span continuing the writer's trace; the message carries this span's
        # context, so the consumer's span is its child.
        with self._tracer.start_as_current_span(
            f"publish {row.exchange}",
            context=context_from(stored),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "send",
                "messaging.destination.name": row.exchange,
                "messaging.rabbitmq.destination.routing_key": row.routing_key,
                "messaging.message.id": str(row.message_id),
                "messaging.message.conversation_id": row.correlation_id,
            },
        ):
            message = self._message(row, current_trace_context() or {})
            await exchange.publish(message, routing_key=row.routing_key, mandatory=False)

    def _message(self, row: Row[Any], trace: dict[str, str]) -> Message:
        return Message(
            row.body_text.encode(),  # as stored, never decoded and re-encoded
            message_id=str(row.message_id),
            correlation_id=row.correlation_id,
            type=row.message_type,
            timestamp=row.occurred_at,
            content_type="application/json",
            app_id=self._app_id,
            headers={
                "aggregate_id": str(row.aggregate_id),
                "aggregate_version": row.aggregate_version,
                # routing keys end in the major version: user.account_created.v1
                "event_version": int(row.routing_key.rsplit(".v", 1)[1]),
                **trace,  # traceparent, tracestate (W3C, as strings)
            },
            delivery_mode=DeliveryMode.PERSISTENT,
        )

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_interval)
        self._wake.clear()


def _claim_query(outbox: Table, batch_size: int) -> Select[Any]:
    """Locks the next unsent rows, oldest first. The ids are chosen (and sorted) alone: with
    the bodies in the sort a backlog of thousands of rows spilled it to disk on every claim."""
    next_ids = (
        select(outbox.c.message_id)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.created_at, outbox.c.aggregate_version)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    columns = [column for column in outbox.c if column.name != "body"]
    return (
        # The body as text: it goes out as stored, never decoded and re-encoded.
        select(*columns, outbox.c.body.cast(Text).label("body_text"))
        .where(outbox.c.message_id.in_(next_ids))
        .order_by(outbox.c.created_at, outbox.c.aggregate_version)
    )


def _update_by_ids(outbox: Table) -> Update:
    # The ids as one array parameter: expanding a batch of them into IN (...) costs CPU.
    return update(outbox).where(outbox.c.message_id == any_(bindparam("ids", type_=ARRAY(Uuid))))


def _types(names: Iterable[str]) -> str:
    """``3 ProjectCreated, 1 ProjectRenamed``: what a batch held, for its log line."""
    counts = Counter(names)
    return ", ".join(f"{count} {name}" for name, count in counts.most_common())
