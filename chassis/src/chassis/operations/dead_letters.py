"""Dead-letter queues for a person: how deep each is, why its messages died, and sending them
back to the queue they died in once the cause is fixed.

A replayed message is published (persistent, with publisher confirms) to its work queue with
its message id, correlation id, type and headers (the trace context among them); only then is
the dead letter acknowledged. If the tool dies in between, the message is in both queues and
the consumer's inbox absorbs the second copy, so a replay never loses or doubles an effect.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

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


class UnknownQueueError(LookupError):
    """Not the name of a consumer queue or of its dead-letter queue."""


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    dead_letter_queue: str
    dead_letters: int


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

    @classmethod
    def of(cls, message: AbstractIncomingMessage, default_queue: str) -> DeadLetter:
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
        )


def resolve(queues: Iterable[ConsumerQueueNames], name: str) -> ConsumerQueueNames:
    """The consumer queue named ``name`` or whose dead-letter queue is named ``name`` (its
    current or a retired name: an operator may know it by the name it had)."""
    for queue in queues:
        if name in (queue.name, queue.dead_letter_queue, *queue.retired, *_dlqs(queue)):
            return queue
    known = ", ".join(q.name for q in queues)
    raise UnknownQueueError(f"no consumer queue {name!r}; known: {known}")


class DeadLetters:
    """The dead-letter queues of ``queues`` on the broker at ``url``."""

    def __init__(self, url: str, queues: Iterable[ConsumerQueueNames]) -> None:
        self.url = url
        self.queues = tuple(queues)

    @contextlib.asynccontextmanager
    async def _channel(self) -> AsyncIterator[AbstractChannel]:
        connection = await aio_pika.connect(self.url, timeout=10)
        try:
            yield await connection.channel(publisher_confirms=True)
        finally:
            # Whatever was taken and neither acked nor published goes back to its DLQ.
            await connection.close()

    async def depths(self) -> list[QueueDepth]:
        """Each dead-letter queue and how many messages it holds (-1: not declared yet)."""
        depths = []
        for queue in self.queues:
            async with self._channel() as channel:
                try:
                    dlq = await channel.declare_queue(queue.dead_letter_queue, passive=True)
                    count = dlq.declaration_result.message_count or 0
                except aio_pika.exceptions.ChannelClosed:  # a passive miss closes the channel
                    count = -1
            depths.append(QueueDepth(queue.name, queue.dead_letter_queue, count))
        return depths

    async def show(self, name: str, *, limit: int = 20) -> list[DeadLetter]:
        """Up to ``limit`` dead letters, oldest first, left where they are."""
        queue = resolve(self.queues, name)
        shown: list[DeadLetter] = []
        async with self._channel() as channel:
            dlq = await channel.declare_queue(queue.dead_letter_queue, passive=True)
            while len(shown) < limit:
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                shown.append(DeadLetter.of(message, queue.name))
        return shown

    async def replay(
        self,
        name: str,
        *,
        message_ids: Iterable[str] = (),
        first: int | None = None,
    ) -> list[str]:
        """Send dead letters back to the queue they died in: those with ``message_ids``, or the
        ``first`` N, or all that were there when it began. Returns the replayed message ids."""
        queue = resolve(self.queues, name)
        wanted = set(message_ids)
        replayed: list[str] = []
        async with self._channel() as channel:
            dlq = await channel.declare_queue(queue.dead_letter_queue, passive=True)
            # Bounded by the depth at the start: a message that dies again meanwhile waits.
            for _ in range(dlq.declaration_result.message_count or 0):
                if first is not None and len(replayed) >= first:
                    break
                if wanted and wanted <= set(replayed):
                    break
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                if wanted and message.message_id not in wanted:
                    continue  # left unacked: back in the DLQ when the channel closes
                # To the queue's current name: a dead letter moved over from a retired queue
                # names that one as where it died, and a copy to a missing queue is dropped.
                await channel.default_exchange.publish(_replay_of(message, queue), queue.name)
                await message.ack()  # only after the broker confirmed the copy
                replayed.append(str(message.message_id))
        return replayed

    async def purge(self, name: str) -> int:
        """Drop every dead letter of the queue; returns how many there were."""
        queue = resolve(self.queues, name)
        async with self._channel() as channel:
            dlq = await channel.declare_queue(queue.dead_letter_queue, passive=True)
            result = await dlq.purge()
            return int(result.message_count or 0)


def _dlqs(queue: ConsumerQueueNames) -> tuple[str, ...]:
    return tuple(dead for _, _, dead in queue.retired_queues)


def _replay_of(message: AbstractIncomingMessage, queue: ConsumerQueueNames) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in DEATH_HEADERS}
    headers[REPLAYED_HEADER] = queue.dead_letter_queue
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
