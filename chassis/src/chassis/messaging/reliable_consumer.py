"""Runs an event handler exactly once per message id, acknowledging only after commit."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis.correlation import correlation_id
from chassis.messaging.consumer_queue import DEFAULT_EXCHANGE, ConsumerQueue
from chassis.messaging.inbox import first_delivery
from contracts import Envelope, IntegrationEvent

logger = logging.getLogger(__name__)

EffectHandler = Callable[[Envelope[Any], AsyncConnection], Awaitable[None]]


class UnknownEventError(ValueError):
    """The message's type is not one this consumer handles."""


class ReliableConsumer:
    """For each delivery: parse the envelope against the contract, then in ONE transaction
    record the message id in the inbox and apply the effect (which gets that transaction's
    connection, and runs with the message id as correlation id); ack after the commit. A failure
    rejects the message into the delayed-retry queue; the last allowed failure moves it to the
    dead-letter queue instead."""

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
    ) -> None:
        self.name = name
        self.queue = queue
        self._events = events
        self._handle = handle
        self._engine = engine
        self._inbox = inbox
        self._broker = broker

    def parse(self, body: bytes) -> Envelope[Any]:
        data = json.loads(body)
        kind = data.get("type") if isinstance(data, dict) else None
        event_type = self._events.get(kind) if isinstance(kind, str) else None
        if event_type is None:
            raise UnknownEventError(f"{self.name} does not handle this message type")
        return Envelope[event_type].model_validate(data)  # type: ignore[valid-type]

    async def __call__(self, message: RabbitMessage) -> None:
        attempt = self.queue.failed_attempts(message.headers) + 1
        try:
            envelope = self.parse(message.body)
            # The events the effect raises are correlated to the message that caused them.
            token = correlation_id.set(str(envelope.message_id))
            try:
                async with self._engine.begin() as connection:
                    if await first_delivery(
                        connection,
                        self._inbox,
                        consumer=self.name,
                        message_id=envelope.message_id,
                        message_type=envelope.type,
                    ):
                        await self._handle(envelope, connection)
            finally:
                correlation_id.reset(token)
        except Exception as error:  # noqa: BLE001 - every failure is retried, then dead-lettered
            await self._failed(message, error, attempt)
            return
        await message.ack()

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
            },
            persist=True,
        )
        await message.ack()


def _original_routing_key(message: RabbitMessage) -> str:
    deaths = message.headers.get("x-death") or ()
    for death in deaths:
        keys = death.get("routing-keys") or ()
        if keys and death.get("reason") == "rejected":
            return str(keys[0])
    return str(message.raw_message.routing_key or "")
