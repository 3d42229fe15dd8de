"""A burst of commits, each adding one outbox row and its NOTIFY (as a service's outbox trigger
sends), over the real PostgreSQL and RabbitMQ: the LISTEN wake-up alone (the relay's poll is far
beyond the test's deadlines) gets every row published exactly once and marked sent. What each
service's requests do, on the chassis's own table, exchange and queue."""

import asyncio
import contextlib

import aio_pika
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis import MessageTables
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_listener import OutboxListener
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.persistence.database import driver_free_url
from taskboard_testing import eventually
from taskboard_testing.amqp import Capture, amqp
from taskboard_testing.tables import unpublished

from .test_outbox_relay_guarantees import APP_ID, EXCHANGE, ROUTING_KEY, add_rows, all_sent, state

QUEUE = "chassis-test.burst"
BURST = 30


async def test_a_burst_of_commits_is_published_exactly_once_each_woken_by_notify(
    engine: AsyncEngine, tables: MessageTables, outbox: Table, database_url: str, amqp_url: str
) -> None:
    broker = make_broker(amqp_url, app_id=APP_ID, prefetch=1)
    await broker.connect()
    relay = OutboxRelay(engine, broker, outbox, RelaySettings(poll_interval=600), app_id=APP_ID)
    listener = OutboxListener(driver_free_url(database_url), tables.channel, relay.wake)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(listener.run())]
    try:
        async with amqp(amqp_url) as channel:
            source = await channel.declare_exchange(
                EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
            queue = await channel.declare_queue(QUEUE, durable=True)
            await queue.bind(source, ROUTING_KEY)
            await queue.purge()
            await eventually(
                lambda: asyncio.sleep(0, listener.connections), until=bool, what="listening"
            )
            ids = [
                row
                for _ in range(BURST)
                for row in await add_rows(engine, outbox, 1, notify=tables.channel)
            ]
            capture = Capture(queue)
            received = [await capture.next(timeout=30) for _ in range(BURST)]
            rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids))
            extra = await capture.drain()
            await queue.delete()
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await broker.stop()

    assert sorted(str(m.message_id) for m in received) == sorted(ids)  # each once
    assert extra == []
    assert {rows[message_id] for message_id in ids} == {(True, 1)}
    assert await unpublished(engine, outbox) == 0
