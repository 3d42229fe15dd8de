"""The relay process killed (SIGKILL) between the broker's confirm and the commit that marks the
row sent: after a restart the row is published again (the broker routes it twice, one message
id), and the consumer applies it once (its inbox)."""

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aio_pika
from prometheus_client import CollectorRegistry
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import Messaging
from chassis.messaging.broker import make_broker
from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.telemetry.messaging_metrics import OUTCOMES, MessagingMetrics
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated
from taskboard_testing import eventually
from taskboard_testing.amqp import Capture, amqp

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
    amqp_url: str,
    engine: AsyncEngine,
    inbox: Table,
    applied: list[str],
    registry: CollectorRegistry,
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
        metrics=MessagingMetrics.on(registry),  # counts each delivery's outcome
    )
    messaging.consume(name="chassis-relay-killed", queue=QUEUE, handle=handle, description="t")
    yield messaging


async def test_a_row_confirmed_but_not_marked_is_sent_again_and_applied_once(
    database_url: str, amqp_url: str, engine: AsyncEngine, outbox: Table, inbox: Table
) -> None:
    applied: list[str] = []
    registry = CollectorRegistry()
    body = account_created()
    message_id = body["message_id"]
    async with (
        consumer(amqp_url, engine, inbox, applied, registry) as messaging,
        amqp(amqp_url) as channel,
    ):
        # Queues and exchange first, the consumer only after the killed relay's copy is in. A
        # second queue on the same binding keeps every copy the broker routed: the witness of
        # how often the row was published.
        exchange = await channel.declare_exchange(
            QUEUE.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        work = await channel.declare_queue(
            QUEUE.name, durable=True, arguments=ConsumerQueue(QUEUE).work_queue().arguments
        )
        await work.bind(exchange, UserAccountCreated.routing_key())
        witness = await channel.declare_queue(f"{QUEUE.name}.witness", exclusive=True)
        await witness.bind(exchange, UserAccountCreated.routing_key())
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
            returncode = await asyncio.wait_for(dying.wait(), 30)
        finally:
            if dying.returncode is None:  # the hook never fired: do not leave it running
                dying.send_signal(signal.SIGKILL)
                await asyncio.wait_for(dying.wait(), 30)
        # It died by its own SIGKILL, at the commit of the mark of this very row: confirmed by
        # the broker (only confirmed rows are marked), never marked in the database.
        assert line.decode().split() == ["dying", "before", "the", "commit", "of", message_id]
        assert returncode == -signal.SIGKILL
        rows = await state(engine, outbox)
        assert rows[message_id] == (False, 0)  # the mark and its attempt count rolled back
        assert await _depth(channel, QUEUE.name) == 1  # the killed relay's copy

        await messaging.start()  # the restarted relay, and the consumer
        try:
            await eventually(
                lambda: state(engine, outbox),
                until=lambda r: r[message_id][0],
                timeout=30,
                what="the row sent again and marked",
            )
            # Both copies handled: one applied, one recognised by the inbox and only acked.
            outcomes = await eventually(
                lambda: _outcomes(registry),
                until=lambda counted: sum(counted.values()) >= 2,
                timeout=60,
                what="both copies consumed",
            )
        finally:
            await messaging.stop()
        copies = await Capture(witness).drain()
        processed = await _inbox_entries(engine, inbox, message_id)
        final = await state(engine, outbox)

    assert final[message_id] == (True, 1)  # one attempt counted: the killed one rolled back
    # The broker got it twice, with one message id; the consumer applied it once.
    assert [str(copy.message_id) for copy in copies] == [message_id, message_id]
    assert outcomes == {"processed": 1, "duplicate": 1}
    assert applied == [message_id]
    assert processed == 1


async def _depth(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    declared = await channel.declare_queue(queue, passive=True)
    return declared.declaration_result.message_count or 0


async def _outcomes(registry: CollectorRegistry) -> dict[str, int]:
    """What became of the consumer's deliveries: outcome -> how many."""
    counted: dict[str, int] = {}
    for outcome in OUTCOMES:
        labels = {"queue": QUEUE.name, "outcome": outcome}
        value = registry.get_sample_value("taskboard_consumer_messages_total", labels)
        if value:
            counted[outcome] = int(value)
    return counted


async def _inbox_entries(engine: AsyncEngine, inbox: Table, message_id: str) -> int:
    async with engine.connect() as connection:
        count: int = await connection.scalar(
            select(func.count()).where(inbox.c.message_id == UUID(message_id))
        )
    return count
