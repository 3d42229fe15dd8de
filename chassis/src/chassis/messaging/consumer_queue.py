"""A consumer's queue with its delayed-retry and dead-letter queues, as RabbitMQ declarations.

The names and the scheme come from ``contracts.ConsumerQueueNames``: ``Q`` (quorum, read by the
consumer; a rejected message dead-letters to ``Q.retry``), ``Q.retry`` (holds it for the retry
delay, then dead-letters it back to ``Q`` alone, through the default exchange) and ``Q.dlq``
(where it lands after the last attempt). A failing message leaves ``Q`` at once, so the
messages behind it are never blocked.

Both retry hops are RabbitMQ dead-lettering made at-least-once: ``Q`` and ``Q.retry`` are quorum
queues with ``x-dead-letter-strategy: at-least-once``, which RabbitMQ (3.10+) honours only with
``x-overflow: reject-publish``. A dead-lettered message stays in its source queue until the target
queue has confirmed it (a target that is missing or full is retried by the broker, about every
3 minutes on 3.10.8), instead of being dropped. The DLQ hop is the consumer's confirmed publish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from contracts import ConsumerQueueNames

DEFAULT_EXCHANGE = ""


@dataclass(frozen=True)
class ConsumerQueue:
    names: ConsumerQueueNames
    retry_delay_ms: int = 5_000
    max_attempts: int = 5
    # A message delivered this often without being settled (its consumer crashed or hung on
    # it) goes to the DLQ at its next delivery, before it is parsed or handled again.
    max_unsettled: int = 5
    # RabbitMQ's own net, far behind ``max_unsettled``: what it dead-letters goes to Q.retry,
    # and back from there to Q RabbitMQ drops it as a dead-letter cycle, so the consumer's own
    # check must always come first.
    delivery_limit: int = 20

    @property
    def name(self) -> str:
        return self.names.name

    @property
    def exchange(self) -> str:
        return self.names.exchange

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return self.names.routing_keys

    @property
    def retry_name(self) -> str:
        return self.names.retry_queue

    @property
    def dead_letter_name(self) -> str:
        return self.names.dead_letter_queue

    def source_exchange(self) -> RabbitExchange:
        return RabbitExchange(self.exchange, type=ExchangeType.TOPIC, durable=True)

    def work_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.routing_keys[0],  # the others are bound by Messaging.declare_topology
            arguments={
                "x-dead-letter-exchange": DEFAULT_EXCHANGE,
                "x-dead-letter-routing-key": self.retry_name,
                "x-delivery-limit": self.delivery_limit,
                # at-least-once dead-lettering needs reject-publish, or RabbitMQ falls back
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )

    def retry_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.retry_name,
            queue_type=QueueType.QUORUM,  # a classic queue's TTL expiry is at-most-once
            durable=True,
            arguments={
                "x-message-ttl": self.retry_delay_ms,
                "x-dead-letter-exchange": DEFAULT_EXCHANGE,
                "x-dead-letter-routing-key": self.name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )

    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(self.dead_letter_name, queue_type=QueueType.QUORUM, durable=True)

    def failed_attempts(self, headers: Mapping[str, Any]) -> int:
        """How often this message already failed here, read from RabbitMQ's ``x-death`` log."""
        deaths: Sequence[Mapping[str, Any]] = headers.get("x-death") or ()
        return sum(int(d.get("count", 0)) for d in deaths if d.get("queue") == self.name)
