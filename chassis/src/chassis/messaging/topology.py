"""A service's RabbitMQ topology: the exchange it publishes to and its consumers' queues.

Declared by the worker, the HTTP process and ``<service>-worker --declare-topology`` alike. The
last runs on every start (``make migrate``, the migration one-shots) and needs only the broker:
this module imports FastStream's broker and the contracts' names, never SQLAlchemy, the signing
key or a service's full settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange

from chassis.messaging.consumer_queue import ConsumerQueue
from contracts import ConsumerQueueNames


@dataclass(frozen=True)
class Topology:
    """What a service declares: its own exchange and the queues its consumers read."""

    exchange: str
    consumes: tuple[ConsumerQueueNames, ...] = ()


async def declare_topology(
    broker: RabbitBroker, *, exchange: str, queues: Iterable[ConsumerQueue]
) -> None:
    """Declare the exchange this service publishes to (it owns it: the relay only looks it up)
    and each consumer's source exchange, work, retry and dead-letter queues with their
    bindings. Idempotent; run by ``make migrate`` so no event finds its exchange or queue
    missing on a first deploy."""
    await broker.declare_exchange(RabbitExchange(exchange, type=ExchangeType.TOPIC, durable=True))
    for queue in queues:
        await broker.declare_exchange(queue.source_exchange())
        await broker.declare_queue(queue.retry_queue())
        await broker.declare_queue(queue.dead_letter_queue())
        work = await broker.declare_queue(queue.work_queue())
        for routing_key in queue.routing_keys:
            await work.bind(queue.exchange, routing_key=routing_key)
