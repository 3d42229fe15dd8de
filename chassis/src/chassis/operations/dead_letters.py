"""Dead-letter queues for a person: how deep each is, why its messages died, and sending them
back to the queue they died in once the cause is fixed.

A replayed message is published (persistent, with publisher confirms) to its work queue with
its message id, correlation id, type and headers (the trace context among them); only then is
the dead letter acknowledged. If the tool dies in between, the message is in both queues and
the consumer's inbox absorbs the second copy, so a replay never loses or doubles an effect. A
copy no queue took (the work queue was deleted or renamed: the broker confirms it all the same)
stops the replay and leaves the dead letter where it was.

What the tool reads and does not settle (``show``, the letters ``replay --id`` skips) it puts
back with ``basic.nack(requeue=True)`` before its channel closes; a quorum queue makes them
ready again a moment later, so each operation waits (bounded) until they are before it returns.

A quorum queue counts each return in the message's ``x-delivery-count``; AMQP 0.9.1 has no way
to browse a queue without taking its messages. On RabbitMQ 4.0-4.2 quorum queues drop a message
returned more often than their delivery limit (20 unless set), and the dead-letter queues set
none: each ``show`` of a letter there counts. RabbitMQ 4.3 counts only failed deliveries (not a
``basic.nack``); 3.x sets no default limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    AbstractQueue,
)
from aiormq.exceptions import AMQPError, ChannelNotFoundEntity

from chassis.messaging.queue_publish import UnroutableError, ensure_queue, publish_to_queue
from chassis.messaging.retired_queues import copy_of
from contracts import ConsumerQueueNames

# What the consumer wrote on the message when it dead-lettered it: dropped on replay, so the
# work queue sees a fresh message (x-delivery-count would make the consumer dead-letter it again
# at once as "never settled").
DEATH_HEADERS = frozenset(
    {
        "x-death",
        "x-delivery-count",
        "x-first-death-queue",
        "x-original-routing-key",
        "x-attempts",
        "x-last-error",
        "x-death-history",
        "x-first-death-at",
        "x-dead-lettered-at",
        "x-first-death-reason",
        "x-first-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        "x-last-death-exchange",
    }
)
REPLAYED_HEADER = "x-replayed-from"
# How long an operation waits for the letters it put back to be ready again.
REQUEUE_WAIT_SECONDS = 10.0


class UnknownQueueError(LookupError):
    """Not the name of a consumer queue or of its dead-letter queue."""


class ReplayStoppedError(RuntimeError):
    """A replay stopped before it was done: the queue to send the dead letters back to does
    not exist (deleted or renamed). What was not replayed is still in its dead-letter queue."""

    def __init__(self, replayed: list[str], reason: str) -> None:
        super().__init__(reason)
        self.replayed = replayed


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    dead_letter_queue: str
    dead_letters: int
    retired: bool = False
    """The DLQ of a retired generation of ``queue`` (the service moves it over and deletes it)."""


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter as the consumer left it, and why."""

    message_id: str | None
    correlation_id: str | None
    type: str | None
    died_in: str
    reason: str
    attempts: int | None
    history: str
    published_at: datetime | None
    first_death_at: datetime | None
    last_death_at: datetime | None
    redelivered_here: int
    headers: Mapping[str, Any]
    body: bytes
    dead_letter_queue: str = ""
    """The DLQ it waits in (a retired generation's, until the service moves it over)."""

    @classmethod
    def of(
        cls, message: AbstractIncomingMessage, default_queue: str, dead_letter_queue: str = ""
    ) -> DeadLetter:
        headers = dict(message.headers or {})
        attempts = headers.get("x-attempts")
        return cls(
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            type=message.type,
            died_in=str(headers.get("x-first-death-queue") or default_queue),
            reason=str(headers.get("x-last-error") or "unknown (not dead-lettered by a consumer)"),
            attempts=int(attempts) if isinstance(attempts, int | str) else None,
            history=str(headers.get("x-death-history") or ""),
            published_at=_aware(message.timestamp),
            first_death_at=_aware(_parse_time(headers.get("x-first-death-at"))),
            last_death_at=_aware(_parse_time(headers.get("x-dead-lettered-at"))),
            redelivered_here=int(str(headers.get("x-delivery-count") or 0)),
            headers=headers,
            body=message.body,
            dead_letter_queue=dead_letter_queue,
        )


def resolve(queues: Iterable[ConsumerQueueNames], name: str) -> ConsumerQueueNames:
    """The consumer queue named ``name`` or whose dead-letter queue is named ``name`` (its
    current or a retired name: an operator may know it by the name it had)."""
    for queue in queues:
        if name in (queue.name, queue.dead_letter_queue, *queue.retired, *_retired_dlqs(queue)):
            return queue
    known = ", ".join(q.name for q in queues)
    raise UnknownQueueError(f"no consumer queue {name!r}; known: {known}")


class DeadLetters:
    """The dead-letter queues of ``queues`` on the broker at ``url``: each queue's own and,
    while they exist, those of its retired generations (``ConsumerQueueNames.retired``), so a
    message that died under an old name is seen, replayed and purged with the others."""

    def __init__(
        self,
        url: str,
        queues: Iterable[ConsumerQueueNames],
        *,
        requeue_wait: float = REQUEUE_WAIT_SECONDS,
    ) -> None:
        self.url = url
        self.queues = tuple(queues)
        self.requeue_wait = requeue_wait
        # Per DLQ, how many letters should be ready once what this tool put back is: set when
        # an operation's wait for them ran out, so the next one waits again before it counts.
        self._expected: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AbstractConnection]:
        connection = await aio_pika.connect(self.url, timeout=10)
        try:
            yield connection
        finally:
            # Whatever was taken and neither acked nor published goes back to its DLQ.
            await connection.close()

    @contextlib.asynccontextmanager
    async def _dlq(
        self, connection: AbstractConnection, name: str
    ) -> AsyncIterator[tuple[AbstractChannel, AbstractQueue] | None]:
        """A channel (with publisher confirms) and the queue ``name``; None if it does not
        exist. Closing the channel returns what was taken and not acked."""
        async with await connection.channel(publisher_confirms=True) as channel:
            try:
                queue = await channel.declare_queue(name, passive=True)
            except ChannelNotFoundEntity:  # a passive miss closes the channel
                yield None
                return
            yield channel, queue

    async def _ready(self, connection: AbstractConnection, dlq: str, *, at_least: int) -> int:
        """How many letters ``dlq`` holds ready (-1: no such queue), re-read for up to
        ``requeue_wait`` seconds while fewer than ``at_least`` (letters put back not yet
        requeued by the broker). Letters another client holds unacked are not counted."""
        deadline = time.monotonic() + self.requeue_wait
        while True:
            async with self._dlq(connection, dlq) as found:
                count = -1 if found is None else int(found[1].declaration_result.message_count or 0)
            if count < 0 or count >= at_least or time.monotonic() >= deadline:
                return count
            await asyncio.sleep(0.05)

    async def _settle(self, connection: AbstractConnection, dlq: str, expected: int) -> None:
        """Wait (bounded) until ``dlq`` holds the ``expected`` letters again; if it does not
        yet, the next operation of this tool waits for them before it counts."""
        self._expected.pop(dlq, None)
        if expected > 0 and await self._ready(connection, dlq, at_least=expected) < expected:
            self._expected[dlq] = expected

    async def waiting(self, name: str) -> list[QueueDepth]:
        """The dead-letter queues of ``name`` that exist and how many letters each holds ready
        now (after what this tool put back is ready again)."""
        queue = resolve(self.queues, name)
        left = []
        async with self._connection() as connection:
            for dlq in _dlqs(queue):
                count = await self._ready(connection, dlq, at_least=self._expected.get(dlq, 0))
                if count >= 0:
                    left.append(QueueDepth(queue.name, dlq, count, dlq != queue.dead_letter_queue))
        return left

    async def depths(self) -> list[QueueDepth]:
        """Each dead-letter queue and how many messages it holds (-1: not declared yet), then
        those of retired generations that still exist."""
        depths = []
        async with self._connection() as connection:
            for queue in self.queues:
                for dlq in _dlqs(queue):
                    retired = dlq != queue.dead_letter_queue
                    async with self._dlq(connection, dlq) as found:
                        count = -1 if found is None else found[1].declaration_result.message_count
                    if count == -1 and retired:
                        continue  # gone: nothing left to see
                    depths.append(QueueDepth(queue.name, dlq, count or 0, retired))
        return depths

    async def show(self, name: str, *, limit: int = 20) -> list[DeadLetter]:
        """Up to ``limit`` dead letters, oldest first (the queue's own DLQ, then retired
        generations'), put back where they were (each read counts in its x-delivery-count)."""
        queue = resolve(self.queues, name)
        shown: list[DeadLetter] = []
        async with self._connection() as connection:
            for dlq in _dlqs(queue):
                if len(shown) >= limit:
                    break
                held: list[AbstractIncomingMessage] = []
                async with self._dlq(connection, dlq) as found:
                    if found is None:
                        continue
                    ready = await self._ready(connection, dlq, at_least=self._expected.get(dlq, 0))
                    try:
                        while len(shown) < limit:
                            message = await found[1].get(no_ack=False, fail=False)
                            if message is None:
                                break
                            held.append(message)
                            shown.append(DeadLetter.of(message, queue.name, dlq))
                    finally:
                        # All at the end: a quorum queue serves a returned letter first.
                        await _put_back(held)
                await self._settle(connection, dlq, ready)
        return shown

    async def replay(
        self,
        name: str,
        *,
        message_ids: Iterable[str] = (),
        first: int | None = None,
    ) -> list[str]:
        """Send dead letters back to the queue they died in: those with ``message_ids``, or the
        ``first`` N, or all that were there when it began. Returns the replayed message ids.

        ``ReplayStoppedError`` if that queue does not exist: a dead letter is acknowledged
        only once the broker confirmed that the queue took its copy."""
        queue = resolve(self.queues, name)
        wanted = set(message_ids)
        replayed: list[str] = []
        async with self._connection() as connection:
            for dlq in _dlqs(queue):
                # Bounded by the depth at the start (once what this tool put back earlier is
                # ready again): a message that dies again meanwhile waits for the next replay.
                depth = await self._ready(connection, dlq, at_least=self._expected.get(dlq, 0))
                before = len(replayed)
                try:
                    async with self._dlq(connection, dlq) as found:
                        if found is None:
                            continue
                        await _replay_from(
                            found=found,
                            queue=queue,
                            dlq=dlq,
                            depth=depth,
                            wanted=wanted,
                            first=first,
                            replayed=replayed,
                        )
                except UnroutableError as error:
                    await self._settle(connection, dlq, depth - (len(replayed) - before))
                    raise ReplayStoppedError(
                        replayed,
                        f"cannot replay to {queue.name}: {error}; the dead letters not "
                        f"replayed are still in {dlq} (declare the queue, e.g. by starting "
                        f"its service, then replay again)",
                    ) from error
                await self._settle(connection, dlq, depth - (len(replayed) - before))
        return replayed

    async def purge(self, name: str) -> int:
        """Drop every dead letter of the queue (its retired generations' too); returns how many
        there were."""
        queue = resolve(self.queues, name)
        dropped = 0
        async with self._connection() as connection:
            for dlq in _dlqs(queue):
                async with self._dlq(connection, dlq) as found:
                    if found is not None:
                        dropped += int((await found[1].purge()).message_count or 0)
        return dropped


async def _replay_from(
    *,
    found: tuple[AbstractChannel, AbstractQueue],
    queue: ConsumerQueueNames,
    dlq: str,
    depth: int,
    wanted: set[str],
    first: int | None,
    replayed: list[str],
) -> None:
    channel, dead_letters = found
    if depth > 0 and not (wanted and wanted <= set(replayed)):
        await ensure_queue(channel, queue.name)  # before taking anything
    held: list[AbstractIncomingMessage] = []  # read and not replayed: put back at the end
    try:
        for _ in range(max(depth, 0)):
            if first is not None and len(replayed) >= first:
                break
            if wanted and wanted <= set(replayed):
                break
            message = await dead_letters.get(no_ack=False, fail=False)
            if message is None:
                break
            held.append(message)
            if wanted and message.message_id not in wanted:
                continue
            # To the queue's current name: a dead letter moved over from a retired queue
            # names that one as where it died. A copy no queue took raises: put back.
            await publish_to_queue(channel, _replay_of(message, dlq), queue.name)
            await message.ack()  # only after the broker confirmed the copy
            held.pop()
            replayed.append(str(message.message_id))
    finally:
        await _put_back(held)


async def _put_back(messages: Iterable[AbstractIncomingMessage]) -> None:
    """Return read letters to their queue now, one by one in the order read, rather than
    when the channel closes (on RabbitMQ 4.3 a close also counts as a failed delivery)."""
    for message in messages:
        with contextlib.suppress(AMQPError, RuntimeError):  # closed: the close returns it
            await message.nack(requeue=True)


def _retired_dlqs(queue: ConsumerQueueNames) -> tuple[str, ...]:
    return tuple(dead for _, _, dead in queue.retired_queues)


def _dlqs(queue: ConsumerQueueNames) -> tuple[str, ...]:
    """The queue's own DLQ first, then its retired generations'."""
    return (queue.dead_letter_queue, *_retired_dlqs(queue))


def _replay_of(message: AbstractIncomingMessage, dlq: str) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in DEATH_HEADERS}
    headers[REPLAYED_HEADER] = dlq
    return copy_of(message, headers)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value)
    return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
