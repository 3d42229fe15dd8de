"""Test-side RabbitMQ client (aio-pika): see what really went over the broker, and publish
messages as another service would."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pydantic import BaseModel

from taskboard_testing.in_process import started
from taskboard_testing.rabbitmq import ThrowawayVhost

S = TypeVar("S", bound=BaseModel)


class Capture:
    """An exclusive queue bound to an exchange, collecting every message routed to it."""

    def __init__(self, queue: AbstractQueue) -> None:
        self.queue = queue

    async def next(self, timeout: float = 10.0) -> AbstractIncomingMessage:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            message = await self.queue.get(no_ack=True, fail=False)
            if message is not None:
                return message
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no message arrived on {self.queue.name} in {timeout}s")
            await asyncio.sleep(0.01)

    async def drain(self) -> list[AbstractIncomingMessage]:
        messages = []
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            messages.append(message)
        return messages


@asynccontextmanager
async def amqp(url: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(url)
    try:
        yield await connection.channel()
    finally:
        await connection.close()


async def capture(
    channel: aio_pika.abc.AbstractChannel, exchange: str, routing_key: str = "#"
) -> Capture:
    source = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"test-capture-{uuid.uuid4().hex[:8]}", exclusive=True)
    await queue.bind(source, routing_key)
    return Capture(queue)


async def publish_envelope(
    channel: aio_pika.abc.AbstractChannel,
    exchange: str,
    body: dict[str, Any] | bytes,
    *,
    routing_key: str,
    message_id: str | None = None,
) -> None:
    """Publish as the producing service's relay does: persistent, ids set explicitly."""
    target = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    fallback_id = body.get("message_id") if isinstance(body, dict) else None
    await target.publish(
        aio_pika.Message(
            raw,
            message_id=message_id or fallback_id or str(uuid.uuid4()),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=routing_key,
    )


async def exchange_declared_by(
    bootstrap: Callable[[S], Any], settings: S, exchange: str, *, vhost_prefix: str
) -> str:
    """Start a service's container alone on a fresh vhost (no consumer of its events has
    declared anything there), then look ``exchange`` up passively, as the relay's publishes do:
    returns its name, found only if the service declared the exchange itself."""
    with ThrowawayVhost(vhost_prefix) as vhost:
        container = bootstrap(settings.model_copy(update={"amqp_url": vhost.url}))
        async with started(container), amqp(vhost.url) as channel:
            found = await channel.get_exchange(exchange, ensure=True)  # passive
    return found.name
