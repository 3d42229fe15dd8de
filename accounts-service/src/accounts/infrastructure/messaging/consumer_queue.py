"""A consumer's queue with its delayed-retry and dead-letter queues.

``Q``        quorum queue the consumer reads; a rejected message dead-letters to ``Q.retry``.
``Q.retry``  holds it for ``retry_delay_ms``, then dead-letters it back to ``Q`` (only ``Q``:
             it goes through the default exchange, so other consumers never see the retry).
``Q.dlq``    where a message lands after ``max_attempts`` failed attempts, for a person to see.

A failing message leaves ``Q`` at once, so the messages behind it are never blocked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

DEFAULT_EXCHANGE = ""


@dataclass(frozen=True)
class ConsumerQueue:
    name: str
    exchange: str
    routing_key: str  # topic pattern, e.g. "project.*.v1"
    retry_delay_ms: int = 5_000
    max_attempts: int = 5
    # Safety net for a message that crashes the process before it can be rejected.
    delivery_limit: int = 20

    @property
    def retry_name(self) -> str:
        return f"{self.name}.retry"

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dlq"

    def source_exchange(self) -> RabbitExchange:
        return RabbitExchange(self.exchange, type=ExchangeType.TOPIC, durable=True)

    def work_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.routing_key,
            arguments={
                "x-dead-letter-exchange": DEFAULT_EXCHANGE,
                "x-dead-letter-routing-key": self.retry_name,
                "x-delivery-limit": self.delivery_limit,
            },
        )

    def retry_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.retry_name,
            durable=True,
            arguments={
                "x-message-ttl": self.retry_delay_ms,
                "x-dead-letter-exchange": DEFAULT_EXCHANGE,
                "x-dead-letter-routing-key": self.name,
            },
        )

    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(self.dead_letter_name, queue_type=QueueType.QUORUM, durable=True)

    def failed_attempts(self, headers: Mapping[str, Any]) -> int:
        """How often this message already failed here, read from RabbitMQ's ``x-death`` log."""
        deaths: Sequence[Mapping[str, Any]] = headers.get("x-death") or ()
        return sum(int(d.get("count", 0)) for d in deaths if d.get("queue") == self.name)
