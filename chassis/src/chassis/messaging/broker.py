"""The service's one RabbitBroker, configured for at-least-once delivery."""

import logging

from faststream.rabbit import Channel, RabbitBroker


def make_broker(url: str, *, app_id: str, prefetch: int) -> RabbitBroker:
    return RabbitBroker(
        url,
        app_id=app_id,
        # Start even while RabbitMQ is down: HTTP keeps working, the outbox keeps the events,
        # and the robust connection catches up when the broker is back.
        fail_fast=False,
        reconnect_interval=1.0,
        # Confirms: a publish returns only once the broker has taken the message. A bounded
        # prefetch keeps the number of messages in flight per consumer finite.
        default_channel=Channel(publisher_confirms=True, prefetch_count=prefetch),
        # FastStream logs two INFO lines per message; that belongs at DEBUG.
        log_level=logging.DEBUG,
    )
