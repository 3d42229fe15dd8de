"""The relay process killed (SIGKILL) between the broker's confirm and marking the row sent:
after a restart the row is published again, and the consumer applies it once (its inbox)."""

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aio_pika
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import Messaging
from chassis.messaging.broker import make_broker
from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp

from .conftest import SCHEMA
from .test_dead_letter_tool import account_created
from .test_outbox_relay_guarantees import state

QUEUE = ConsumerQueueNames("chassis_test.relay_killed", events=(UserAccountCreated,))
DYING_RELAY = Path(__file__).parent / "processes" / "relay_dying_after_confirm.py"


async def add_event(engine: AsyncEngine, outbox: Table, body: dict[str, Any]) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            outbox.insert().values(
                message_id=body["message_id"],
                message_type=body["type"],
                exchange=UserAccountCreated.exchange,
                routing_key=UserAccountCreated.routing_key(),
                body=body,
                correlation_id="relay-killed",
                aggregate_id=body["aggregate_id"],
                aggregate_version=1,
                occurred_at=datetime.fromisoformat(body["occurred_at"]),
            )
        )


@contextlib.asynccontextmanager
async def consumer(
    amqp_url: str, engine: AsyncEngine, inbox: Table, applied: list[str]
) -> AsyncIterator[Messaging]:
    async def handle(envelope: Envelope[Any], connection: AsyncConnection) -> None:
        applied.append(str(envelope.message_id))

    broker = make_broker(amqp_url, app_id="chassis-test", prefetch=4)
    messaging = Messaging(
        broker,
        exchange=UserAccountCreated.exchange,
        engine=engine,
        inbox=inbox,
        retry_delay_ms=100,
        max_attempts=2,
        relay=OutboxRelay(
            engine,
            broker,
            inbox.metadata.tables[f"{SCHEMA}.outbox"],
            RelaySettings(poll_interval=0.05),
            app_id="chassis-test",
        ),
        listener=None,
    )
    messaging.consume(name="chassis-relay-killed", queue=QUEUE, handle=handle, description="t")
    yield messaging


async def test_a_row_confirmed_but_not_marked_is_sent_again_and_applied_once(
    database_url: str, amqp_url: str, engine: AsyncEngine, outbox: Table, inbox: Table
) -> None:
    applied: list[str] = []
    body = account_created()
    async with consumer(amqp_url, engine, inbox, applied) as messaging:
        # Queues and exchange first, the consumer only after the killed relay's copy is in.
        async with amqp(amqp_url) as channel:
            exchange = await channel.declare_exchange(
                QUEUE.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            work = await channel.declare_queue(
                QUEUE.name, durable=True, arguments=ConsumerQueue(QUEUE).work_queue().arguments
            )
            await work.bind(exchange, UserAccountCreated.routing_key())
        await add_event(engine, outbox, body)

        dying = await asyncio.create_subprocess_exec(
            sys.executable,
            str(DYING_RELAY),
            database_url,
            amqp_url,
            SCHEMA,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert dying.stdout is not None
            line = await asyncio.wait_for(dying.stdout.readline(), 60)
            assert line.decode().strip() == "confirmed 1"
        finally:
            dying.send_signal(signal.SIGKILL)
            await asyncio.wait_for(dying.wait(), 30)
        rows = await state(engine, outbox)
        assert rows[body["message_id"]] == (False, 0)  # confirmed, never marked
        async with amqp(amqp_url) as channel:
            queued = await channel.declare_queue(QUEUE.name, passive=True)
            assert queued.declaration_result.message_count == 1  # the killed relay's copy

        await messaging.start()  # the restarted relay, and the consumer
        try:
            await eventually(
                lambda: state(engine, outbox),
                until=lambda r: r[body["message_id"]][0],
                timeout=30,
                what="the row sent again and marked",
            )
            async with amqp(amqp_url) as channel:
                queue = await channel.declare_queue(QUEUE.name, passive=True)
                await eventually(lambda: _settled(queue), timeout=60, what="both copies consumed")
        finally:
            await messaging.stop()

    assert applied == [body["message_id"]]  # two copies delivered, one applied


async def _settled(queue: aio_pika.abc.AbstractQueue) -> bool:
    result = await queue.channel.declare_queue(queue.name, passive=True)
    return result.declaration_result.message_count == 0
