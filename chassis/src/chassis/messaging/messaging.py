"""Starts and stops the broker, the subscribers' topology and the outbox relay together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aio_pika.abc import AbstractChannel
from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.message import RabbitMessage as RabbitMessageType
from opentelemetry.trace import Tracer
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.consuming import RabbitSubscriber, consuming
from chassis.messaging.outbox_listener import OutboxListener
from chassis.messaging.outbox_relay import OutboxRelay
from chassis.messaging.reliable_consumer import EffectHandler, OutagePolicy, ReliableConsumer
from chassis.messaging.retention import MessageRetention
from chassis.messaging.topology import declare_topology, retire_old_queues
from chassis.telemetry.messaging_metrics import MessagingMetrics
from contracts import ConsumerQueueNames

logger = logging.getLogger(__name__)


async def _undecoded(message: RabbitMessageType) -> bytes:
    return message.body


class Messaging:
    """Everything that talks to RabbitMQ in one process, and the upkeep of the outbox and inbox
    it uses. ``start()`` returns at once: the broker connects in the background (retrying while
    RabbitMQ is down), so HTTP never waits for it; the relay keeps events in the outbox until
    they can be sent."""

    def __init__(
        self,
        broker: RabbitBroker,
        *,
        exchange: str,
        engine: AsyncEngine,
        inbox: Table,
        retry_delay_ms: int,
        max_attempts: int,
        relay: OutboxRelay | None,
        listener: OutboxListener | None,
        retention: MessageRetention | None = None,
        outage: OutagePolicy | None = None,
        outbox: Table | None = None,
        tracer: Tracer | None = None,
        metrics: MessagingMetrics | None = None,
        metrics_max_age: float = 5.0,
        retire_interval: float = 30.0,
    ) -> None:
        self._retire_interval = retire_interval
        self.broker = broker
        self._outbox = outbox
        self._tracer = tracer
        self.metrics = metrics
        self._metrics_max_age = metrics_max_age
        self._metrics_at = -float("inf")
        self._refreshing = asyncio.Lock()
        self._metrics_channel: AbstractChannel | None = None
        self.exchange = exchange
        self._engine = engine
        self._inbox = inbox
        self._retry_delay_ms = retry_delay_ms
        self._max_attempts = max_attempts
        self._queues: list[ConsumerQueue] = []
        self.consumers: list[ReliableConsumer] = []
        self.relay = relay
        self._listener = listener
        self._retention = retention
        self._outage = outage
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribers: dict[str, RabbitSubscriber] = {}
        self.connected = asyncio.Event()

    def consume(
        self,
        *,
        name: str,
        queue: ConsumerQueueNames,
        handle: EffectHandler,
        description: str,
    ) -> ConsumerQueue:
        """Subscribe ``handle`` to the events of ``queue`` through a reliable consumer."""
        consumer_queue = ConsumerQueue(
            queue, retry_delay_ms=self._retry_delay_ms, max_attempts=self._max_attempts
        )
        consumer = ReliableConsumer(
            name=name,
            queue=consumer_queue,
            events={event.type_name(): event for event in queue.events},
            handle=handle,
            engine=self._engine,
            inbox=self._inbox,
            broker=self.broker,
            outage=self._outage,
            tracer=self._tracer,
            metrics=self.metrics,
        )

        async def on_message(message: RabbitMessage) -> None:
            await consumer(message)

        subscriber = self.broker.subscriber(
            consumer_queue.work_queue(),
            exchange=consumer_queue.source_exchange(),
            ack_policy=AckPolicy.MANUAL,  # acked by the consumer, after its commit
            # The consumer parses the body itself, so that malformed JSON is retried and
            # dead-lettered like any failure instead of failing (unacked) inside FastStream.
            decoder=_undecoded,
            title=queue.name,
            description=description,
        )
        subscriber(on_message)
        self._subscribers[name] = subscriber
        self._queues.append(consumer_queue)
        self.consumers.append(consumer)
        return consumer_queue

    async def declare_topology(self) -> bool:
        """Declare the service's exchange and its consumers' queues, and retire old ones (see
        ``declare_topology``). True when no retired queue is left."""
        return await declare_topology(self.broker, exchange=self.exchange, queues=self._queues)

    async def retire_old_queues(self) -> bool:
        """One round of retiring the consumers' old queues; True when none is left."""
        return await retire_old_queues(self.broker, self._queues)

    async def _retire_until_done(self) -> None:
        # Old consumers keep their queues until a rolling update is over; then the next round
        # empties and deletes them.
        while True:
            await asyncio.sleep(self._retire_interval)
            try:
                if await self.retire_old_queues():
                    logger.info("every retired consumer queue is gone")
                    return
            except Exception as error:  # noqa: BLE001 - the broker may be away: next round
                logger.warning("retiring old consumer queues failed (%r); trying again", error)

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._connect(), name="broker-connect"))
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self._relay(self.relay), name="outbox-relay"))
        if self._listener is not None:
            self._tasks.append(asyncio.create_task(self._listener.run(), name="outbox-listener"))
        if self._retention is not None:
            self._tasks.append(asyncio.create_task(self._retention.run(), name="retention"))

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            try:
                await self.broker.connect()
                retired = await self.declare_topology()
                await self.broker.start()
            except Exception as error:  # noqa: BLE001 - RabbitMQ down at start: keep trying
                logger.warning("RabbitMQ not reachable yet (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15.0)
                continue
            self.connected.set()
            if not retired:
                self._tasks.append(
                    asyncio.create_task(self._retire_until_done(), name="retire-old-queues")
                )
            return

    async def _relay(self, relay: OutboxRelay) -> None:
        # Every publish fails until the broker is connected and the exchange declared; starting
        # earlier would only put the relay into its backoff.
        await self.connected.wait()
        await relay.run()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._metrics_channel is not None and not self._metrics_channel.is_closed:
            with contextlib.suppress(Exception):
                await self._metrics_channel.close()
        await self.broker.stop()

    async def refresh_metrics(self) -> None:
        """Bring the gauges that need a query up to date: the outbox backlog (one index scan)
        and each consumer queue's DLQ depth and consumer count (a passive declare each). At
        most once per ``metrics_max_age`` seconds, however many scrape; a failed query
        leaves the last values (the database or broker being down shows elsewhere)."""
        metrics = self.metrics
        if metrics is None:
            return
        async with self._refreshing:
            if time.monotonic() - self._metrics_at < self._metrics_max_age:
                return
            self._metrics_at = time.monotonic()
            if self._outbox is not None:
                try:
                    await self._refresh_outbox(metrics, self._outbox)
                except Exception as error:  # noqa: BLE001 - a scrape must still answer
                    logger.debug("outbox metrics not refreshed: %r", error)
            if self.connected.is_set():
                for queue in self._queues:
                    try:
                        await self._refresh_queue(metrics, queue)
                    except Exception as error:  # noqa: BLE001 - a scrape must still answer
                        logger.debug("queue metrics of %s not refreshed: %r", queue.name, error)

    async def _refresh_outbox(self, metrics: MessagingMetrics, outbox: Table) -> None:
        backlog = select(
            func.count(),
            func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0),
        ).where(outbox.c.published_at.is_(None))
        async with self._engine.connect() as connection:
            count, oldest = (await connection.execute(backlog)).one()
        metrics.outbox_unpublished.set(count)
        metrics.outbox_oldest_age.set(float(oldest))

    async def _refresh_queue(self, metrics: MessagingMetrics, queue: ConsumerQueue) -> None:
        channel = await self._channel()
        dead = await channel.declare_queue(queue.dead_letter_name, passive=True)
        work = await channel.declare_queue(queue.name, passive=True)
        metrics.dead_letter_messages.labels(queue.name).set(
            dead.declaration_result.message_count or 0
        )
        metrics.queue_consumers.labels(queue.name).set(work.declaration_result.consumer_count or 0)

    async def _channel(self) -> AbstractChannel:
        # A channel of its own: a passive declare of a missing queue closes its channel.
        if self._metrics_channel is None or self._metrics_channel.is_closed:
            connection = self.broker._connection
            if connection is None:
                raise RuntimeError("not connected")
            self._metrics_channel = await connection.channel()
        return self._metrics_channel

    async def readiness(self, *, broker_up: bool) -> dict[str, str]:
        """``ok`` or what is wrong, per consumer (``consumer:<name>``: is it consuming from its
        queue on an open channel?) and for the relay (can it publish?), given whether the
        broker answered a ping (``broker_up``)."""
        checks: dict[str, str] = {}
        for name, subscriber in self._subscribers.items():
            checks[f"consumer:{name}"] = await consuming(subscriber, self.connected.is_set())
        if self.relay is not None:
            relay_task = next((t for t in self._tasks if t.get_name() == "outbox-relay"), None)
            if not self.connected.is_set():
                checks["relay"] = "down: not connected to the broker yet"
            elif relay_task is None or relay_task.done():
                checks["relay"] = "down: not running"
            elif not broker_up:
                checks["relay"] = "down: the broker does not answer"
            else:
                checks["relay"] = (
                    "ok" if self.relay.problem is None else f"down: {self.relay.problem}"
                )
        return checks

    async def ping(self) -> bool:
        # A short wait: ping() waits out its whole timeout while disconnected, and readiness
        # must answer well within the gateway's health timeout.
        return self.connected.is_set() and await self.broker.ping(timeout=0.25)
