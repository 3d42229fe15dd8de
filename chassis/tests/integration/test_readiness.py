"""Readiness that tells the truth, over the real broker on a vhost of the test's own: when the
broker closes the process's connection, each consumer and the relay are reported down (the
process stays alive), and they come back by themselves and consume again."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import Messaging
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated
from taskboard_testing import ThrowawayVhost, eventually
from taskboard_testing.amqp import amqp

from .test_dead_letter_tool import account_created

QUEUE = ConsumerQueueNames("chassis_test.readiness", events=(UserAccountCreated,))
CONSUMER = "consumer:chassis-readiness"


@pytest.fixture
def vhost() -> Any:
    with ThrowawayVhost("chassis_ready") as vhost:
        yield vhost


@pytest.fixture
async def messaging(
    vhost: ThrowawayVhost, engine: AsyncEngine, outbox: Table, inbox: Table
) -> AsyncIterator[tuple[Messaging, list[str]]]:
    applied: list[str] = []

    async def handle(envelope: Envelope[Any], connection: AsyncConnection) -> None:
        applied.append(str(envelope.message_id))

    broker = make_broker(vhost.url, app_id="chassis-test", prefetch=4)
    messaging = Messaging(
        broker,
        exchange="chassis-test.events",
        engine=engine,
        inbox=inbox,
        retry_delay_ms=100,
        max_attempts=2,
        relay=OutboxRelay(
            engine, broker, outbox, RelaySettings(poll_interval=0.1), app_id="chassis-test"
        ),
        listener=None,
    )
    messaging.consume(name="chassis-readiness", queue=QUEUE, handle=handle, description="t")
    await messaging.start()
    try:
        await asyncio.wait_for(messaging.connected.wait(), timeout=30)
        yield messaging, applied
    finally:
        await messaging.stop()


async def readiness(messaging: Messaging) -> dict[str, str]:
    return await messaging.readiness(broker_up=await messaging.ping())


def all_ok(checks: dict[str, str]) -> bool:
    return all(value == "ok" for value in checks.values())


async def publish(url: str, body: dict[str, Any]) -> None:
    async with amqp(url) as channel:
        exchange = await channel.declare_exchange(
            QUEUE.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await exchange.publish(
            aio_pika.Message(json.dumps(body).encode(), message_id=body["message_id"]),
            routing_key=UserAccountCreated.routing_key(),
        )


async def test_a_closed_connection_makes_the_consumer_and_relay_unready_until_they_are_back(
    vhost: ThrowawayVhost, messaging: tuple[Messaging, list[str]]
) -> None:
    service, applied = messaging
    checks = await eventually(lambda: readiness(service), until=all_ok, timeout=30)
    assert set(checks) == {CONSUMER, "relay"}

    vhost.revoke()  # the reconnect is refused until the test gives the rights back
    try:
        assert vhost.close_connections() >= 1
        down = await eventually(
            lambda: readiness(service),
            until=lambda c: c[CONSUMER] != "ok" and c["relay"] != "ok",
            timeout=30,
            what="the consumer and the relay reported down",
        )
        assert down[CONSUMER].startswith("down: ")
        assert down["relay"].startswith("down: ")
    finally:
        vhost.grant()

    await eventually(lambda: readiness(service), until=all_ok, timeout=60, what="ready again")
    body = account_created()
    await publish(vhost.url, body)
    await eventually(lambda: asyncio.sleep(0, applied), until=lambda a: body["message_id"] in a)
