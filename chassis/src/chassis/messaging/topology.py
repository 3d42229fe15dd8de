"""A service's RabbitMQ topology: the exchange it publishes to and its consumers' queues.

Declared by the worker, the HTTP process and ``<service>-worker --declare-topology`` alike. The
last runs on every start (``make migrate``, the migration one-shots) and needs only the broker:
this module imports FastStream's broker and the contracts' names, never SQLAlchemy, the signing
key or a service's full settings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange

from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.retired_queues import retire
from contracts import ConsumerQueueNames

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Topology:
    """What a service declares: its own exchange and the queues its consumers read."""

    exchange: str
    consumes: tuple[ConsumerQueueNames, ...] = ()


async def declare_topology(
    broker: RabbitBroker, *, exchange: str, queues: Iterable[ConsumerQueue]
) -> bool:
    """Declare the exchange this service publishes to (it owns it: the relay only looks it up)
    and each consumer's source exchange, work, retry and dead-letter queues with their
    bindings, then move what is left in the consumers' retired queues to the current ones
    (``retired_queues``). Idempotent; run by ``make migrate`` so no event finds its exchange or
    queue missing on a first deploy. True when no retired queue is left."""
    queues = list(queues)
    await broker.declare_exchange(RabbitExchange(exchange, type=ExchangeType.TOPIC, durable=True))
    for queue in queues:
        await broker.declare_exchange(queue.source_exchange())
        await broker.declare_queue(queue.retry_queue())
        await broker.declare_queue(queue.dead_letter_queue())
        work = await broker.declare_queue(queue.work_queue())
        for routing_key in queue.routing_keys:
            await work.bind(queue.exchange, routing_key=routing_key)
    try:
        return await retire_old_queues(broker, queues)
    except Exception as error:  # noqa: BLE001 - never keep the consumers from starting
        logger.warning("could not retire old consumer queues yet (%r); trying again", error)
        return False


async def retire_old_queues(broker: RabbitBroker, queues: Iterable[ConsumerQueue]) -> bool:
    """One round of ``retired_queues.retire`` per consumer queue; True when none is left."""
    connection = broker._connection
    if connection is None:
        raise RuntimeError("not connected")
    done = True
    for queue in queues:
        done = await retire(connection, queue) and done
    return done
