"""Publishing a message straight to a named queue (through the default exchange) so that a copy
no queue took is an error, not a silent drop.

With publisher confirms alone the broker confirms a message it routed nowhere (the queue was
deleted or renamed): whoever then acknowledges the original has lost it. So the queue is
checked first (a passive declare) and the publish is ``mandatory``: a message the broker
returns unroutable raises ``UnroutableError`` before anything is acknowledged."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel
from aiormq.abc import DeliveredMessage
from aiormq.exceptions import ChannelNotFoundEntity


class UnroutableError(RuntimeError):
    """No queue of that name took the message: it does not exist (deleted, renamed, or not
    declared yet)."""

    def __init__(self, queue: str) -> None:
        super().__init__(f"queue {queue!r} does not exist (deleted, renamed or not declared yet)")
        self.queue = queue


async def ensure_queue(channel: AbstractChannel, queue: str) -> None:
    """Raise ``UnroutableError`` unless ``queue`` exists. A miss closes ``channel`` (RabbitMQ's
    passive declare does), so check before taking anything on it."""
    try:
        await channel.declare_queue(queue, passive=True)
    except ChannelNotFoundEntity as error:
        raise UnroutableError(queue) from error


async def publish_to_queue(
    channel: AbstractChannel, message: aio_pika.abc.AbstractMessage, queue: str
) -> None:
    """Publish ``message`` to ``queue`` and return once the broker confirmed that the queue took
    it (``channel`` has publisher confirms); ``UnroutableError`` if it went nowhere."""
    result = await channel.default_exchange.publish(message, queue, mandatory=True)
    # aio-pika answers with the returned message instead of the Ack (aiormq gives a message
    # without an id one of its own, so every return is matched to its publish).
    if isinstance(result, DeliveredMessage):
        raise UnroutableError(queue)
