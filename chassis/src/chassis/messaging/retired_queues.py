"""Moves what is left in a consumer queue's retired generations to its current queues.

RabbitMQ cannot change a queue's arguments in place, so a consumer queue whose arguments changed
gets a new name and lists the old one in ``ConsumerQueueNames.retired``. Each topology step, and
then every ``interval`` seconds until none is left, takes one round per retired generation:

1. unbind the old work queue from the source exchange (the new one is bound already, so no
   event falls between them; one arriving in both is deduplicated by the consumer's inbox);
2. move (publisher-confirmed copy, then ack) the messages of the old retry, work and dead-letter
   queues to the new work and dead-letter queues; a copy is published before its original is
   acknowledged, so a crash in between leaves a duplicate, never a loss, and a copy no queue
   took (the new queue was deleted) leaves the original where it was and ends the round;
3. only when no old consumer reads the old work queue any more (a rolling update is over),
   delete the three old queues, each only if it is empty and has no consumer (checked just
   before by a passive declare: quorum queues do not support ``if-unused``); a queue that got
   a message meanwhile waits for the next round.

While old consumers still run, their own retry cycle (old queue ↔ old retry queue) stays intact.
"""

from __future__ import annotations

import logging

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    HeadersType,
)
from aiormq.exceptions import ChannelNotFoundEntity, ChannelPreconditionFailed

from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.queue_publish import UnroutableError, ensure_queue, publish_to_queue

logger = logging.getLogger(__name__)

# Set by the broker on each delivery of the old queue; carried over, a quorum queue's count
# would make the consumer take the message for one that crashed it.
_DELIVERY_COUNT = "x-delivery-count"


async def retire(connection: AbstractConnection, queue: ConsumerQueue) -> bool:
    """One round for every retired generation of ``queue``; True when none is left."""
    done = True
    for work, retry, dead in queue.names.retired_queues:
        done = await _retire_generation(connection, queue, work, retry, dead) and done
    return done


async def _retire_generation(
    connection: AbstractConnection, queue: ConsumerQueue, work: str, retry: str, dead: str
) -> bool:
    async with await connection.channel() as channel:
        old = await _existing(channel, work)
        if old is not None:
            for routing_key in queue.routing_keys:
                await old.unbind(queue.exchange, routing_key)
    in_use = old is not None and bool(old.declaration_result.consumer_count)
    try:
        moved = await _move(connection, retry, queue.name)
        moved += await _move(connection, work, queue.name)
        moved += await _move(connection, dead, queue.dead_letter_name)
    except UnroutableError as error:
        # What was not moved stays where it is (nothing is acked before its copy is taken).
        logger.warning("cannot move the messages of %s yet: %s; retiring it later", work, error)
        return False
    if moved:
        logger.info("moved %d messages from the retired queues of %s", moved, work)
    if in_use:
        logger.info("%s still has consumers (an older version); retiring it later", work)
        return False
    # In this order, each only once the one before is gone: a message that reaches the old
    # retry queue late (an old consumer's last reject) would expire into a deleted work queue.
    for name in (retry, work, dead):
        if not await _delete(connection, name, if_empty=name == retry):
            return False
    return True


async def _existing(channel: AbstractChannel, name: str) -> aio_pika.abc.AbstractQueue | None:
    try:
        return await channel.declare_queue(name, passive=True)
    except ChannelNotFoundEntity:  # the channel is closed with it; the caller's ends here
        return None


async def _move(connection: AbstractConnection, source: str, target: str) -> int:
    """Move the messages ``source`` holds now to ``target``; returns how many."""
    moved = 0
    async with await connection.channel(publisher_confirms=True) as channel:
        queue = await _existing(channel, source)
        if queue is None:
            return 0
        if not queue.declaration_result.message_count:
            return 0
        await ensure_queue(channel, target)  # before taking anything: a miss closes the channel
        # Bounded by the depth at the start: an old consumer's retries may keep coming.
        for _ in range(queue.declaration_result.message_count or 0):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if k != _DELIVERY_COUNT}
            # raises if no queue took the copy: the original then goes back to its queue
            await publish_to_queue(channel, copy_of(message, headers), target)
            await message.ack()  # only after the broker confirmed the copy in ``target``
            moved += 1
    return moved


async def _delete(connection: AbstractConnection, name: str, *, if_empty: bool = False) -> bool:
    """Delete ``name`` if it is gone, or empty without consumers. Checked just before, not by
    the broker: quorum queues refuse ``if-unused`` (RabbitMQ 3.10 closes the connection). The
    old retry queue is classic: the broker checks it is still empty as it deletes it."""
    async with await connection.channel() as channel:
        queue = await _existing(channel, name)
        if queue is None:
            return True
        if queue.declaration_result.message_count or queue.declaration_result.consumer_count:
            logger.info("%s is not empty or is in use again; retiring it later", name)
            return False
        try:
            await channel.queue_delete(name, if_empty=if_empty)
        except ChannelPreconditionFailed:  # a message came in after the check
            logger.info("%s got a message meanwhile; retiring it later", name)
            return False
    return True


def copy_of(message: AbstractIncomingMessage, headers: HeadersType) -> aio_pika.Message:
    """A persistent copy of ``message`` with every property kept and ``headers`` instead."""
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
    )
