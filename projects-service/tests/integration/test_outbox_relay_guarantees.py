"""The relay's promises, on a copy of the outbox table (the service's own relay never sees it):
each row marked sent exactly once and only after its confirm, replicas never sending a row
twice, one deadline for a stalled broker, backing off while it is down. A fake exchange stands
in for the broker where a test must decide what it confirms; the last test uses the real one."""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
import pytest
from sqlalchemy import MetaData, Table, insert, select, text

from contracts import PROJECTS_EXCHANGE
from projects.bootstrap import Container
from projects.infrastructure.messaging.broker import make_broker
from projects.infrastructure.messaging.outbox_relay import OutboxRelay, RelaySettings
from projects.infrastructure.persistence.tables import outbox
from taskboard_testing import ThrowawayVhost, eventually, rabbitmqctl
from taskboard_testing.amqp import Capture, amqp

SCHEMA = "projects"
EXCHANGE = PROJECTS_EXCHANGE
ROUTING_KEY = "project.renamed.v1"
MESSAGE_TYPE = "ProjectRenamed"
APP_ID = "projects-service"


class FakeExchange:
    """Confirms each publish after an optional delay, unless the test holds confirms back,
    makes a message fail or hang, or takes the broker down."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.published: list[str] = []  # message ids, as handed to the broker
        self.confirmed: list[str] = []
        self.in_flight = self.most_in_flight = 0
        self.confirms = asyncio.Event()
        self.confirms.set()  # clear() holds every confirm back
        self.failing: set[str] = set()
        self.hanging: set[str] = set()
        self.down = False

    async def publish(self, message: aio_pika.Message, routing_key: str, **_: Any) -> None:
        if self.down:  # as aiormq does on a closed channel: at once, a RuntimeError
            raise RuntimeError("channel is closed")
        message_id = str(message.message_id)
        self.published.append(message_id)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(random.uniform(0, self.delay))
            await self.confirms.wait()
            if message_id in self.hanging:  # a broker blocked by an alarm never confirms
                await asyncio.Event().wait()
            if message_id in self.failing:
                raise RuntimeError("basic.nack")
            self.confirmed.append(message_id)
        finally:
            self.in_flight -= 1


class FakeBroker:
    def __init__(self, exchange: FakeExchange) -> None:
        self.exchange = exchange

    async def declare_exchange(self, _exchange: object) -> FakeExchange:
        return self.exchange


@pytest.fixture
async def table(container: Container) -> AsyncIterator[Table]:
    copy = outbox.to_metadata(MetaData(), name="relay_test_outbox")
    async with container.engine.begin() as connection:
        await connection.execute(
            text(f"CREATE TABLE {SCHEMA}.relay_test_outbox (LIKE {SCHEMA}.outbox INCLUDING ALL)")
        )
    yield copy
    async with container.engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE {SCHEMA}.relay_test_outbox"))


async def add_rows(container: Container, table: Table, count: int) -> list[str]:
    ids = [uuid4() for _ in range(count)]
    async with container.engine.begin() as connection:
        await connection.execute(
            insert(table),
            [
                {
                    "message_id": message_id,
                    "message_type": MESSAGE_TYPE,
                    "exchange": EXCHANGE,
                    "routing_key": ROUTING_KEY,
                    "body": {"message_id": str(message_id), "n": n},
                    "correlation_id": "relay-test",
                    "aggregate_id": uuid4(),
                    "aggregate_version": 1,
                    "occurred_at": datetime.now(UTC),
                }
                for n, message_id in enumerate(ids)
            ],
        )
    return [str(message_id) for message_id in ids]


async def state(container: Container, table: Table) -> dict[str, tuple[bool, int]]:
    """message id -> (marked sent, attempts)"""
    async with container.engine.connect() as connection:
        rows = await connection.execute(
            select(table.c.message_id, table.c.published_at, table.c.attempts)
        )
        return {str(r.message_id): (r.published_at is not None, r.attempts) for r in rows}


def all_sent(ids: list[str]) -> Callable[[dict[str, tuple[bool, int]]], bool]:
    return lambda rows: all(rows[message_id][0] for message_id in ids)


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def relay_for(
    container: Container, table: Table, exchange: FakeExchange, **settings: Any
) -> OutboxRelay:
    settings = {"poll_interval": 0.05, "max_backoff": 1.0, **settings}
    broker: Any = FakeBroker(exchange)
    return OutboxRelay(container.engine, broker, table, RelaySettings(**settings), app_id=APP_ID)


async def test_next_batches_are_claimed_while_earlier_ones_await_their_confirms(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange()
    exchange.confirms.clear()
    ids = await add_rows(container, table, 100)
    relay = relay_for(container, table, exchange, batch_size=20, max_batches=3, max_in_flight=60)

    async with running(relay):
        # Three batches of 20 claimed and published, none of them confirmed yet ...
        await eventually(lambda: _published(exchange), until=lambda n: n == 60, what="3 batches")
        assert not any(sent for sent, _ in (await state(container, table)).values())
        exchange.confirms.set()  # ... and nothing marked sent until the broker confirms
        rows = await eventually(lambda: state(container, table), until=all_sent(ids))

    assert sorted(exchange.published) == sorted(ids)  # each exactly once
    assert exchange.most_in_flight == 60
    assert {attempts for _, attempts in rows.values()} == {1}


async def test_a_backlog_is_published_exactly_once_with_at_most_max_in_flight_unconfirmed(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange(delay=0.005)
    ids = await add_rows(container, table, 1000)
    relay = relay_for(container, table, exchange, batch_size=50, max_batches=3, max_in_flight=30)

    async with running(relay):
        rows = await eventually(lambda: state(container, table), until=all_sent(ids))

    assert sorted(exchange.published) == sorted(ids)
    assert sorted(exchange.confirmed) == sorted(ids)
    assert 10 < exchange.most_in_flight <= 30  # more than one batch's share: pipelined
    assert {attempts for _, attempts in rows.values()} == {1}


async def test_replicas_share_the_rows_without_sending_one_twice(
    container: Container, table: Table
) -> None:
    first, second = FakeExchange(delay=0.002), FakeExchange(delay=0.002)
    ids = await add_rows(container, table, 1000)

    async with (
        running(relay_for(container, table, first, batch_size=25)),
        running(relay_for(container, table, second, batch_size=25)),
    ):
        await eventually(lambda: state(container, table), until=all_sent(ids))

    assert set(first.published).isdisjoint(second.published)
    assert sorted(first.published + second.published) == sorted(ids)
    assert first.published, "both replicas took part"
    assert second.published, "both replicas took part"


async def test_a_failed_publish_leaves_its_row_unsent_for_a_later_retry(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange()
    ids = await add_rows(container, table, 10)
    exchange.failing = set(ids[:3])

    async with running(relay_for(container, table, exchange)):
        rows = await eventually(lambda: state(container, table), until=all_sent(ids[3:]))
        assert {rows[message_id] for message_id in ids[:3]} == {(False, 1)}
        assert {rows[message_id] for message_id in ids[3:]} == {(True, 1)}
        exchange.failing.clear()
        rows = await eventually(lambda: state(container, table), until=all_sent(ids))

    assert {rows[message_id] for message_id in ids[:3]} == {(True, 2)}
    assert sorted(exchange.confirmed) == sorted(ids)


async def test_one_deadline_bounds_a_stalled_publish_and_the_rest_of_the_batch_is_marked(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange()
    ids = await add_rows(container, table, 10)
    exchange.hanging = set(ids[:2])

    async with running(relay_for(container, table, exchange, publish_timeout=0.3)):
        rows = await eventually(
            lambda: state(container, table),
            until=lambda rows: all(rows[i] == (False, 1) for i in ids[:2]),
            what="the stalled rows given up at the deadline",
        )
        assert {rows[message_id] for message_id in ids[2:]} == {(True, 1)}
        exchange.hanging.clear()
        rows = await eventually(lambda: state(container, table), until=all_sent(ids))

    assert {rows[message_id][1] for message_id in ids[:2]} == {2}


async def test_the_relay_backs_off_while_the_broker_is_down_and_recovers_after(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange()
    exchange.down = True
    ids = await add_rows(container, table, 5)

    async with running(relay_for(container, table, exchange, max_backoff=1.0)):
        await eventually(
            lambda: state(container, table),
            until=lambda rows: all(attempts >= 2 for _, attempts in rows.values()),
            what="attempts while the broker is down",
        )
        await asyncio.sleep(1.5)  # what the relay does meanwhile is the point here
        tried = max(attempts for _, attempts in (await state(container, table)).values())
        exchange.down = False
        await eventually(lambda: state(container, table), until=all_sent(ids))

    # Waits of 0.5 s, 1 s, 1 s between attempts, not dozens of tries in a tight loop.
    assert tried <= 5
    assert sorted(exchange.published) == sorted(ids)


async def test_rows_are_found_by_polling_when_no_wake_up_comes(
    container: Container, table: Table
) -> None:
    exchange = FakeExchange()
    relay = relay_for(container, table, exchange, poll_interval=0.2)

    async with running(relay):
        await asyncio.sleep(0.1)  # the relay found nothing and waits; nobody wakes it
        ids = await add_rows(container, table, 3)
        await eventually(lambda: state(container, table), until=all_sent(ids), timeout=5)


async def test_the_relay_publishes_again_once_its_connection_is_back(
    container: Container, table: Table
) -> None:
    # The real broker, on a vhost of its own whose connections the test closes by force.
    with ThrowawayVhost("relay_outage") as vhost:
        broker = make_broker(vhost.url, app_id=APP_ID, prefetch=1)
        await broker.connect()
        try:
            async with amqp(vhost.url) as channel:
                source = await channel.declare_exchange(
                    EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
                )
                queue = await channel.declare_queue("relay-outage", durable=True)
                await queue.bind(source, ROUTING_KEY)
            relay = OutboxRelay(
                container.engine, broker, table, RelaySettings(poll_interval=0.05), app_id=APP_ID
            )
            async with running(relay):
                before = await add_rows(container, table, 20)
                await eventually(lambda: state(container, table), until=all_sent(before))
                await asyncio.to_thread(
                    rabbitmqctl,
                    *("close_all_connections", "--vhost", vhost.name, "--limit", "10", "test"),
                )
                after = await add_rows(container, table, 20)
                rows = await eventually(
                    lambda: state(container, table), until=all_sent(after), timeout=30
                )
            async with amqp(vhost.url) as channel:
                queue = await channel.declare_queue("relay-outage", durable=True)
                arrived = {str(m.message_id) for m in await Capture(queue).drain()}
        finally:
            await broker.stop()

    assert max(rows[message_id][1] for message_id in after) >= 2  # it did meet the outage
    assert arrived == set(before + after)  # a publish cut off by the close may arrive twice


async def _published(exchange: FakeExchange) -> int:
    return len(exchange.published)
