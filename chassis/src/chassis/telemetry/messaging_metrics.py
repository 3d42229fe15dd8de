"""The metrics of a process's outbox, relay and consumers."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

# What became of a delivery: applied, already applied (inbox), sent to retry, or to the DLQ.
OUTCOMES = ("processed", "duplicate", "retried", "dead_lettered")


@dataclass(frozen=True)
class MessagingMetrics:
    outbox_unpublished: Gauge
    outbox_oldest_age: Gauge
    relay_published: Counter
    consumer_messages: Counter
    dead_letter_messages: Gauge
    queue_consumers: Gauge

    @classmethod
    def on(cls, registry: CollectorRegistry) -> MessagingMetrics:
        return cls(
            outbox_unpublished=Gauge(
                "taskboard_outbox_unpublished_messages",
                "Outbox rows not yet confirmed by the broker (the service's whole outbox).",
                registry=registry,
            ),
            outbox_oldest_age=Gauge(
                "taskboard_outbox_oldest_unpublished_age_seconds",
                "Age of the oldest unpublished outbox row; 0 when there is none.",
                registry=registry,
            ),
            relay_published=Counter(
                "taskboard_relay_published_messages",
                "Outbox messages this process's relay published and saw confirmed.",
                registry=registry,
            ),
            consumer_messages=Counter(
                "taskboard_consumer_messages",
                "Deliveries handled by this process's consumers, by queue and outcome.",
                ["queue", "outcome"],
                registry=registry,
            ),
            dead_letter_messages=Gauge(
                "taskboard_dead_letter_messages",
                "Messages waiting in a consumer queue's dead-letter queue.",
                ["queue"],
                registry=registry,
            ),
            queue_consumers=Gauge(
                "taskboard_consumer_queue_consumers",
                "Consumers attached to a consumer queue (all replicas), as RabbitMQ counts them.",
                ["queue"],
                registry=registry,
            ),
        )
