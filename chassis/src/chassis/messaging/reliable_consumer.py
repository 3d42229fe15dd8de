"""Runs an event handler exactly once per message id, acknowledging only after commit."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis.correlation import correlation_id
from chassis.messaging.consumer_queue import DEFAULT_EXCHANGE, ConsumerQueue
from chassis.messaging.inbox import first_delivery
from chassis.persistence.database_errors import database_unavailable
from chassis.telemetry import log_context
from chassis.telemetry.messaging_metrics import MessagingMetrics
from chassis.telemetry.trace_context import context_from
from contracts import Envelope, IntegrationEvent

logger = logging.getLogger(__name__)

EffectHandler = Callable[[Envelope[Any], AsyncConnection], Awaitable[None]]


class UnknownEventError(ValueError):
    """The message's type is not one this consumer handles."""


class UnsettledTooOftenError(RuntimeError):
    """The message was delivered again and again without ever being settled: it crashed or hung
    its consumer each time (a process killed, a consumer timeout), so it is not tried again."""


@dataclass(frozen=True)
class OutagePolicy:
    """How long a delivery waits for an unreachable database before it spends an attempt.

    An outage is not the message's fault: the consumer keeps the delivery and tries again with
    a growing pause, up to ``patience`` seconds (well below RabbitMQ's consumer timeout);
    only an outage longer than that counts one failed attempt, and the message goes the
    delayed-retry way like any other failure."""

    first_pause: float = 0.5
    max_pause: float = 5.0
    patience: float = 300.0


class ReliableConsumer:
    """For each delivery: parse the envelope against the contract, then in ONE transaction
    record the message id in the inbox and apply the effect (which gets that transaction's
    connection, and runs with the message id as correlation id); ack after the commit. A failure
    rejects the message into the delayed-retry queue; the last allowed failure moves it to the
    dead-letter queue instead. So does a message that was delivered ``max_unsettled`` times
    without being settled, before it is even parsed: it killed or hung its consumer."""

    def __init__(
        self,
        *,
        name: str,
        queue: ConsumerQueue,
        events: Mapping[str, type[IntegrationEvent]],
        handle: EffectHandler,
        engine: AsyncEngine,
        inbox: Table,
        broker: RabbitBroker,
        outage: OutagePolicy | None = None,
        tracer: Tracer | None = None,
        metrics: MessagingMetrics | None = None,
    ) -> None:
        self._tracer = tracer
        self._metrics = metrics
        self.name = name
        self.queue = queue
        self._events = events
        self._handle = handle
        self._engine = engine
        self._inbox = inbox
        self._broker = broker
        self._outage = outage or OutagePolicy()

    def parse(self, body: bytes) -> Envelope[Any]:
        data = json.loads(body)
        kind = data.get("type") if isinstance(data, dict) else None
        event_type = self._events.get(kind) if isinstance(kind, str) else None
        if event_type is None:
            raise UnknownEventError(f"{self.name} does not handle this message type")
        return Envelope[event_type].model_validate(data)  # type: ignore[valid-type]

    async def __call__(self, message: RabbitMessage) -> None:
        """Handle one delivery; its log lines name the message, and when tracing is on it is
        a consumer span continuing the ``traceparent`` the relay sent (a retried delivery is
        another span of the same trace)."""
        raw = message.raw_message
        message_token = log_context.message_id.set(raw.message_id)
        type_token = log_context.event_type.set(raw.type)
        try:
            if self._tracer is None:
                await self._handle_delivery(message)
                return
            with self._tracer.start_as_current_span(
                f"process {self.queue.name}",
                context=context_from(message.headers),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "rabbitmq",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": self.queue.name,
                    "messaging.consumer.group.name": self.name,
                    "messaging.message.id": str(raw.message_id),
                    "messaging.message.conversation_id": str(raw.correlation_id),
                    "messaging.rabbitmq.message.type": str(raw.type),
                    "messaging.rabbitmq.delivery_attempt": self.queue.failed_attempts(
                        message.headers
                    )
                    + 1,
                },
            ):
                await self._handle_delivery(message)
        finally:
            log_context.event_type.reset(type_token)
            log_context.message_id.reset(message_token)

    def _count(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.consumer_messages.labels(self.queue.name, outcome).inc()

    async def _handle_delivery(self, message: RabbitMessage) -> None:
        unsettled = int(message.headers.get("x-delivery-count") or 0)
        if unsettled >= self.queue.max_unsettled:
            error = UnsettledTooOftenError(
                f"delivered {unsettled + 1} times, never settled before (consumer crashed "
                "or timed out on it)"
            )
            await self._settle_failure(message, error, attempt=self.queue.max_attempts)
            return
        attempt = self.queue.failed_attempts(message.headers) + 1
        try:
            envelope = self.parse(message.body)
            applied = await self._apply_waiting_out_outages(envelope)
        except Exception as error:  # noqa: BLE001 - every failure is retried, then dead-lettered
            _mark_failed(error)
            await self._settle_failure(message, error, attempt=attempt)
            return
        await message.ack()
        outcome = "processed" if applied else "duplicate"
        self._count(outcome)
        logger.info(
            "%s: %s %s %s (attempt %d)",
            self.name,
            envelope.type,
            envelope.message_id,
            outcome,
            attempt,
        )

    async def _apply_waiting_out_outages(self, envelope: Envelope[Any]) -> bool:
        """True when the effect was applied, False when the inbox had the message already."""
        pause, waited = self._outage.first_pause, 0.0
        while True:
            try:
                return await self._apply(envelope)
            except Exception as error:
                if not database_unavailable(error) or waited >= self._outage.patience:
                    raise
                logger.warning(
                    "%s: database unavailable for message %s (%r); trying again in %.1fs, "
                    "without spending an attempt",
                    self.name,
                    envelope.message_id,
                    error,
                    pause,
                )
                await asyncio.sleep(pause)
                waited += pause
                pause = min(pause * 2, self._outage.max_pause)

    async def _apply(self, envelope: Envelope[Any]) -> bool:
        """Apply the effect once; False when the inbox shows it was applied before."""
        # The events the effect raises are correlated to the message that caused them.
        token = correlation_id.set(str(envelope.message_id))
        try:
            async with self._engine.begin() as connection:
                first = await first_delivery(
                    connection,
                    self._inbox,
                    consumer=self.name,
                    message_id=envelope.message_id,
                    message_type=envelope.type,
                )
                if first:
                    await self._handle(envelope, connection)
                return first
        finally:
            correlation_id.reset(token)

    async def _settle_failure(self, message: RabbitMessage, error: Exception, attempt: int) -> None:
        """Retry later or dead-letter; if even that fails (the channel broke, the DLQ publish
        was refused), give the delivery back at once rather than leave it unsettled until the
        channel closes: it comes back and is counted as unsettled."""
        try:
            await self._failed(message, error, attempt)
        except Exception as settling:  # noqa: BLE001 - the broker is the problem here
            logger.warning(
                "%s: could not settle failed message %s (%r); handing it back",
                self.name,
                message.message_id,
                settling,
            )
            try:
                await message.nack(requeue=True)
            except Exception as handing_back:  # noqa: BLE001 - the channel is gone: redelivered
                logger.warning("%s: could not hand it back either (%r)", self.name, handing_back)

    async def _failed(self, message: RabbitMessage, error: Exception, attempt: int) -> None:
        if attempt < self.queue.max_attempts:
            logger.warning(
                "%s: message %s failed (attempt %d of %d), retrying later: %r",
                self.name,
                message.message_id,
                attempt,
                self.queue.max_attempts,
                error,
            )
            await message.reject(requeue=False)  # -> Q.retry -> back to Q after the delay
            self._count("retried")
            return
        logger.error(
            "%s: message %s failed %d times, moving it to %s: %r",
            self.name,
            message.message_id,
            attempt,
            self.queue.dead_letter_name,
            error,
        )
        raw = message.raw_message
        await self._broker.publish(
            message.body,
            exchange=DEFAULT_EXCHANGE,
            routing_key=self.queue.dead_letter_name,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            message_type=raw.type,
            timestamp=raw.timestamp,
            content_type=raw.content_type,
            headers={
                **{k: v for k, v in message.headers.items() if k != "x-death"},
                "x-first-death-queue": self.queue.name,
                "x-original-routing-key": _original_routing_key(message),
                "x-attempts": attempt,
                "x-last-error": repr(error)[:1000],
                # The history of the message's earlier hops, as text: RabbitMQ's own x-death
                # header is rewritten by every dead-lettering.
                "x-death-history": _history(message),
                # When it first failed here and when it was given up (for the DLQ tool).
                "x-first-death-at": _first_death(message).isoformat(),
                "x-dead-lettered-at": datetime.now(UTC).isoformat(),
            },
            persist=True,
        )
        await message.ack()
        self._count("dead_lettered")


def _mark_failed(error: Exception) -> None:
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))


def _original_routing_key(message: RabbitMessage) -> str:
    deaths = message.headers.get("x-death") or ()
    for death in deaths:
        keys = death.get("routing-keys") or ()
        if keys and death.get("reason") == "rejected":
            return str(keys[0])
    return str(message.raw_message.routing_key or "")


def _first_death(message: RabbitMessage) -> datetime:
    times = [
        d["time"]
        for d in message.headers.get("x-death") or ()
        if isinstance(d, Mapping) and isinstance(d.get("time"), datetime)
    ]
    earliest = min(times, default=datetime.now(UTC))
    return earliest if earliest.tzinfo else earliest.replace(tzinfo=UTC)


def _history(message: RabbitMessage) -> str:
    deaths = message.headers.get("x-death") or ()
    hops = [
        f"{d.get('queue')}:{d.get('reason')}x{d.get('count')}"
        for d in deaths
        if isinstance(d, Mapping)
    ]
    unsettled = message.headers.get("x-delivery-count")
    if unsettled:
        hops.append(f"unsettled deliveries:{unsettled}")
    return ", ".join(hops)
