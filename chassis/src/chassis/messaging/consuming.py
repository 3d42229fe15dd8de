"""Whether a subscriber really consumes: FastStream and aio-pika restore a consumer after a
reconnect, and readiness must say so when they have not (yet)."""

from __future__ import annotations

import asyncio
from typing import Any

from faststream.rabbit.subscriber import RabbitSubscriber

__all__ = ["RabbitSubscriber", "consuming"]


async def consuming(subscriber: RabbitSubscriber | Any, connected: bool) -> str:
    """``ok`` while the subscriber's consumer is registered on an open channel, else why not.

    Reads FastStream's and aio-pika's state (the subscriber's queue and consumer tag, the
    channel's consumers): the chassis's integration tests pin it against a real broker."""
    if not connected:
        return "down: not connected to the broker yet"
    queue = getattr(subscriber, "_queue_obj", None)
    tag = getattr(subscriber, "_consumer_tag", None)
    if queue is None or tag is None:
        return "down: not subscribed"
    channel = queue.channel
    if channel.is_closed:
        return "down: channel closed"
    try:
        underlay = await asyncio.wait_for(channel.get_underlay_channel(), timeout=0.25)
    except (TimeoutError, RuntimeError) as error:
        return f"down: channel unavailable ({type(error).__name__})"
    if underlay.is_closed or tag not in underlay.consumers:
        return "down: no active consumer on its queue"
    return "ok"
