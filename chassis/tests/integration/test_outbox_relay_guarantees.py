"""The relay's promises, on the chassis's own outbox table: each row marked sent exactly once
and only after its confirm, replicas never sending a row twice, one deadline for a stalled
broker, backing off while it is down. A fake exchange stands in for the broker where a test must
decide what it confirms; the last test uses the real one."""

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from taskboard_testing import ThrowawayVhost, eventually, rabbitmqctl
from taskboard_testing.amqp import Capture, amqp

EXCHANGE = "chassis-test.events"
ROUTING_KEY = "thing.happened.v1"
MESSAGE_TYPE = "ThingHappened"
APP_ID = "chassis-test"


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
        self.refused_at: list[float] = []  # when each publish was refused while down

    async def publish(self, message: aio_pika.Message, routing_key: str, **_: Any) -> None:
        if self.down:  # as aiormq does on a closed channel: at once, a RuntimeError
            self.refused_at.append(time.monotonic())
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


async def add_rows(
    engine: AsyncEngine, outbox: Table, count: int, *, notify: str | None = None
) -> list[str]:
    """``count`` rows in one transaction; with ``notify``, a NOTIFY on that channel in the same
    transaction, as a service's outbox trigger sends."""
    ids = [uuid4() for _ in range(count)]
    async with engine.begin() as connection:
        await connection.execute(
            insert(outbox),
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
        if notify is not None:
            await connection.execute(select(func.pg_notify(notify, "")))
    return [str(message_id) for message_id in ids]


async def state(engine: AsyncEngine, outbox: Table) -> dict[str, tuple[bool, int]]:
    """message id -> (marked sent, attempts)"""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.message_id, outbox.c.published_at, outbox.c.attempts)
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
    engine: AsyncEngine, outbox: Table, exchange: FakeExchange, **settings: Any
) -> OutboxRelay:
    settings = {"poll_interval": 0.05, "max_backoff": 1.0, **settings}
    broker: Any = FakeBroker(exchange)
    return OutboxRelay(engine, broker, outbox, RelaySettings(**settings), app_id=APP_ID)


async def test_next_batches_are_claimed_while_earlier_ones_await_their_confirms(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange()
    exchange.confirms.clear()
    ids = await add_rows(engine, outbox, 100)
    relay = relay_for(engine, outbox, exchange, batch_size=20, max_batches=3, max_in_flight=60)

    async with running(relay):
        # Three batches of 20 claimed and published, none of them confirmed yet ...
        await eventually(lambda: _published(exchange), until=lambda n: n == 60, what="3 batches")
        assert not any(sent for sent, _ in (await state(engine, outbox)).values())
        exchange.confirms.set()  # ... and nothing marked sent until the broker confirms
        rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    assert sorted(exchange.published) == sorted(ids)  # each exactly once
    assert exchange.most_in_flight == 60
    assert {attempts for _, attempts in rows.values()} == {1}


async def test_a_backlog_is_published_exactly_once_with_at_most_max_in_flight_unconfirmed(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange(delay=0.005)
    ids = await add_rows(engine, outbox, 1000)
    relay = relay_for(engine, outbox, exchange, batch_size=50, max_batches=3, max_in_flight=30)

    async with running(relay):
        rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    assert sorted(exchange.published) == sorted(ids)
    assert sorted(exchange.confirmed) == sorted(ids)
    assert 10 < exchange.most_in_flight <= 30  # more than one batch's share: pipelined
    assert {attempts for _, attempts in rows.values()} == {1}


async def test_replicas_share_the_rows_without_sending_one_twice(
    engine: AsyncEngine, outbox: Table
) -> None:
    first, second = FakeExchange(delay=0.002), FakeExchange(delay=0.002)
    ids = await add_rows(engine, outbox, 1000)

    async with (
        running(relay_for(engine, outbox, first, batch_size=25)),
        running(relay_for(engine, outbox, second, batch_size=25)),
    ):
        await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    assert set(first.published).isdisjoint(second.published)
    assert sorted(first.published + second.published) == sorted(ids)
    assert first.published, "both replicas took part"
    assert second.published, "both replicas took part"


async def test_a_failed_publish_leaves_its_row_unsent_for_a_later_retry(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange()
    ids = await add_rows(engine, outbox, 10)
    exchange.failing = set(ids[:3])

    async with running(relay_for(engine, outbox, exchange)):
        rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids[3:]))
        # Unsent, each failure counted (the relay may already be at its next try: >= 1).
        assert all(not rows[i][0] and rows[i][1] >= 1 for i in ids[:3]), rows
        assert {rows[message_id] for message_id in ids[3:]} == {(True, 1)}
        exchange.failing.clear()
        rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    assert all(rows[message_id][1] >= 2 for message_id in ids[:3])  # the failure, then success
    assert {rows[message_id] for message_id in ids[3:]} == {(True, 1)}  # never sent again
    assert sorted(exchange.confirmed) == sorted(ids)  # each confirmed exactly once


async def test_one_deadline_bounds_a_stalled_publish_and_the_rest_of_the_batch_is_marked(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange()
    ids = await add_rows(engine, outbox, 10)
    exchange.hanging = set(ids[:2])

    # Long enough for every other row to be confirmed on a busy machine.
    async with running(relay_for(engine, outbox, exchange, publish_timeout=3.0)):
        rows = await eventually(
            lambda: state(engine, outbox),
            until=lambda rows: all(rows[i] == (False, 1) for i in ids[:2]),
            what="the stalled rows given up at the deadline",
        )
        assert {rows[message_id] for message_id in ids[2:]} == {(True, 1)}
        exchange.hanging.clear()
        rows = await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    # Tried again after the deadline: once more, or more often when the machine was too slow to
    # let the publish go before the relay's next try (still hanging then); sent once all the same.
    assert all(rows[message_id][1] >= 2 for message_id in ids[:2])


async def test_the_relay_backs_off_while_the_broker_is_down_and_recovers_after(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange()
    exchange.down = True
    ids = await add_rows(engine, outbox, 1)

    async with running(relay_for(engine, outbox, exchange, max_backoff=1.0)):
        await eventually(
            lambda: _refusals(exchange),
            until=lambda n: n >= 6,
            timeout=30,
            what="six attempts while the broker is down",
        )
        exchange.down = False
        await eventually(lambda: state(engine, outbox), until=all_sent(ids))

    # Backing off, not dozens of tries in a tight loop: six tries take at least two of its
    # waits (0.5 s, then 1 s). A lower bound, so it holds on a machine of any speed; a claim
    # made before the failed batch reported back may add one quick try per wait.
    assert exchange.refused_at[5] - exchange.refused_at[0] >= 1.45
    assert exchange.published == ids


async def test_rows_are_found_by_polling_when_no_wake_up_comes(
    engine: AsyncEngine, outbox: Table
) -> None:
    exchange = FakeExchange()
    relay = relay_for(engine, outbox, exchange, poll_interval=0.2)

    async with running(relay):
        # The relay has looked, found nothing and waits; nobody wakes it.
        await eventually(lambda: _claims(relay), until=lambda n: n >= 1, what="a first claim")
        ids = await add_rows(engine, outbox, 3)
        await eventually(lambda: state(engine, outbox), until=all_sent(ids), timeout=5)


async def test_the_relay_publishes_again_once_its_connection_is_back(
    engine: AsyncEngine, outbox: Table
) -> None:
    # The real broker, on a vhost of its own. The outage is held open until the relay has met
    # it: the user loses its rights on the vhost before its connections are closed, so no
    # reconnection can succeed until the test gives them back, however fast or slow the machine.
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
                engine, broker, outbox, RelaySettings(poll_interval=0.05), app_id=APP_ID
            )
            async with running(relay):
                before = await add_rows(engine, outbox, 20)
                await eventually(lambda: state(engine, outbox), until=all_sent(before))
                await asyncio.to_thread(vhost.revoke)
                await asyncio.to_thread(
                    rabbitmqctl,
                    *("close_all_connections", "--vhost", vhost.name, "--limit", "10", "test"),
                )
                after = await add_rows(engine, outbox, 20)
                during = await eventually(
                    lambda: state(engine, outbox),
                    until=lambda rows: all(rows[i][1] >= 1 for i in after),
                    what="the relay's attempts on the new rows while the broker refuses it",
                    timeout=30,
                )
                await asyncio.to_thread(vhost.grant)
                rows = await eventually(
                    lambda: state(engine, outbox), until=all_sent(after), timeout=30
                )
            async with amqp(vhost.url) as channel:
                queue = await channel.declare_queue("relay-outage", durable=True)
                arrived = {str(m.message_id) for m in await Capture(queue).drain()}
        finally:
            await broker.stop()

    assert not any(during[message_id][0] for message_id in after)  # none sent in the outage
    assert max(rows[message_id][1] for message_id in after) >= 2  # it did meet the outage
    assert arrived == set(before + after)  # a publish cut off by the close may arrive twice


async def _refusals(exchange: FakeExchange) -> int:
    return len(exchange.refused_at)


async def _claims(relay: OutboxRelay) -> int:
    return relay.claims


async def _published(exchange: FakeExchange) -> int:
    return len(exchange.published)
