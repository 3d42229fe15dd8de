"""The reliable consumer over the real broker and database, on a queue and a vhost of its own:
a message that keeps killing its consumer ends in the DLQ with its history, an unreachable
database costs a message no attempt, and a message that keeps failing, or that cannot be read,
ends in the DLQ with its reason while the good ones behind it are applied."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import Messaging
from chassis.messaging.broker import make_broker
from chassis.messaging.reliable_consumer import OutagePolicy
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, publish_envelope

QUEUE = ConsumerQueueNames("chassis_test.account_created", events=(UserAccountCreated,))


def account_created() -> dict[str, Any]:
    user_id = uuid4()
    return Envelope.wrap(
        UserAccountCreated(user_id=user_id, email=f"u-{user_id.hex[:8]}@example.com"),
        message_id=uuid4(),
        occurred_at=datetime.now(UTC),
        producer="chassis-test",
        correlation_id="test",
        aggregate_id=user_id,
        aggregate_version=1,
    ).model_dump(mode="json")


class Handler:
    """Records each call; raises what the test queues up, one error per call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.errors: list[Exception] = []

    async def __call__(self, envelope: Envelope[Any], connection: AsyncConnection) -> None:
        self.calls.append(str(envelope.message_id))
        if self.errors:
            raise self.errors.pop(0)


@contextlib.asynccontextmanager
async def consuming(
    amqp_url: str,
    engine: AsyncEngine,
    inbox: Table,
    handler: Handler,
    *,
    queue: ConsumerQueueNames = QUEUE,
    retire_interval: float = 30.0,
    **outage: float,
) -> AsyncIterator[Messaging]:
    messaging = Messaging(
        make_broker(amqp_url, app_id="chassis-test", prefetch=4),
        exchange="chassis-test.events",
        engine=engine,
        inbox=inbox,
        retry_delay_ms=100,
        max_attempts=2,
        relay=None,
        listener=None,
        outage=OutagePolicy(**outage) if outage else None,
        retire_interval=retire_interval,
    )
    messaging.consume(name="chassis-test", queue=queue, handle=handler, description="test")
    await messaging.start()
    try:
        await asyncio.wait_for(messaging.connected.wait(), timeout=30)
        yield messaging
    finally:
        await messaging.stop()


async def declared(amqp_url: str, engine: AsyncEngine, inbox: Table) -> None:
    """The queues exist (a consumer declared them) before anything is published."""
    async with consuming(amqp_url, engine, inbox, Handler()):
        pass


async def dead_letter(channel: aio_pika.abc.AbstractChannel) -> Any:
    dlq = await channel.declare_queue(QUEUE.dead_letter_queue, passive=True)
    return await eventually(
        lambda: dlq.get(no_ack=True, fail=False), timeout=20, what="a message in the DLQ"
    )


async def dead_letters(
    channel: aio_pika.abc.AbstractChannel, message_ids: set[str]
) -> dict[str, Any]:
    """Takes messages from the DLQ until every one of ``message_ids`` is there."""
    dlq = await channel.declare_queue(QUEUE.dead_letter_queue, passive=True)
    found: dict[str, Any] = {}

    async def taken() -> dict[str, Any]:
        while (message := await dlq.get(no_ack=True, fail=False)) is not None:
            found[message.message_id or ""] = message
        return found

    await eventually(taken, until=lambda f: message_ids <= set(f), timeout=20, what="in the DLQ")
    return found


async def inbox_rows(engine: AsyncEngine, inbox: Table) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(inbox))).scalar())


async def test_a_message_that_keeps_killing_its_consumer_ends_in_the_dlq_with_its_history(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    await declared(amqp_url, engine, inbox)
    body = account_created()
    async with amqp(amqp_url) as channel:
        await publish_envelope(
            channel, QUEUE.exchange, body, routing_key=UserAccountCreated.routing_key()
        )
    # Five consumers take it and die before settling it (their channel closes with it unacked).
    for _ in range(5):
        connection = await aio_pika.connect(amqp_url)
        dying = await connection.channel()
        work = await dying.declare_queue(QUEUE.name, passive=True)
        taken = await eventually(lambda q=work: q.get(no_ack=False, fail=False), what="taken")
        assert taken.message_id == body["message_id"]
        await connection.close()  # no ack, no reject: as a killed process leaves it

    handler = Handler()
    async with consuming(amqp_url, engine, inbox, handler), amqp(amqp_url) as channel:
        dead = await dead_letter(channel)

    assert handler.calls == []  # not handed to the effect a sixth time
    assert dead.message_id == body["message_id"]
    assert "never settled" in str(dead.headers["x-last-error"])
    assert "unsettled deliveries:5" in str(dead.headers["x-death-history"])
    assert dead.headers["x-first-death-queue"] == QUEUE.name
    assert await inbox_rows(engine, inbox) == 0


async def test_an_unreachable_database_spends_no_attempt_and_the_message_is_applied_once(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    handler = Handler()
    # Four failures that say "the database cannot be reached", with only two attempts allowed:
    # counted as attempts, they would dead-letter the message after the second.
    handler.errors = [ConnectionRefusedError("connection refused") for _ in range(4)]
    body = account_created()
    async with (
        consuming(amqp_url, engine, inbox, handler, first_pause=0.05, max_pause=0.1),
        amqp(amqp_url) as channel,
    ):
        await publish_envelope(
            channel, QUEUE.exchange, body, routing_key=UserAccountCreated.routing_key()
        )
        await eventually(lambda: inbox_rows(engine, inbox), until=lambda n: n == 1)
        dlq = await channel.declare_queue(QUEUE.dead_letter_queue, passive=True)
        assert dlq.declaration_result.message_count == 0

    assert handler.calls == [body["message_id"]] * 5


async def test_a_real_failure_still_spends_its_attempts_and_is_dead_lettered(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    handler = Handler()
    handler.errors = [ValueError("a bug") for _ in range(2)]
    body = account_created()
    async with consuming(amqp_url, engine, inbox, handler), amqp(amqp_url) as channel:
        await publish_envelope(
            channel, QUEUE.exchange, body, routing_key=UserAccountCreated.routing_key()
        )
        dead = await dead_letter(channel)

    assert handler.calls == [body["message_id"]] * 2
    assert dead.headers["x-attempts"] == 2
    assert "a bug" in str(dead.headers["x-last-error"])
    assert "chassis_test.account_created:rejected" in str(dead.headers["x-death-history"])


async def test_unreadable_unknown_and_invalid_messages_are_dead_lettered_and_block_nothing(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    handler = Handler()
    unreadable = str(uuid4())
    unknown = {"type": "ThingExploded", "message_id": str(uuid4())}
    invalid = account_created()
    del invalid["payload"]["user_id"]
    good = account_created()
    key = UserAccountCreated.routing_key()
    async with consuming(amqp_url, engine, inbox, handler), amqp(amqp_url) as channel:
        await publish_envelope(
            channel, QUEUE.exchange, b"{not json", routing_key=key, message_id=unreadable
        )
        for body in (unknown, invalid, good):
            await publish_envelope(channel, QUEUE.exchange, body, routing_key=key)
        dead = await dead_letters(
            channel, {unreadable, unknown["message_id"], invalid["message_id"]}
        )
        await eventually(lambda: inbox_rows(engine, inbox), until=lambda n: n == 1)

    assert handler.calls == [good["message_id"]]  # the others never reached the effect
    assert dead[unreadable].body == b"{not json"
    assert "JSONDecodeError" in str(dead[unreadable].headers["x-last-error"])
    assert "UnknownEventError" in str(dead[unknown["message_id"]].headers["x-last-error"])
    assert "payload.user_id" in str(dead[invalid["message_id"]].headers["x-last-error"])
    for message in dead.values():
        assert message.headers["x-attempts"] == 2  # retried like any failure, then parked
        assert message.headers["x-first-death-queue"] == QUEUE.name
        assert message.headers["x-original-routing-key"] == key


async def test_a_message_that_keeps_failing_is_dead_lettered_while_good_ones_are_applied(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    poison, good = account_created(), account_created()

    class FailsForPoison(Handler):
        async def __call__(self, envelope: Envelope[Any], connection: AsyncConnection) -> None:
            await super().__call__(envelope, connection)
            if str(envelope.message_id) == poison["message_id"]:
                raise ValueError("a bug this message always meets")

    handler = FailsForPoison()
    key = UserAccountCreated.routing_key()
    async with consuming(amqp_url, engine, inbox, handler), amqp(amqp_url) as channel:
        for body in (poison, good):
            await publish_envelope(channel, QUEUE.exchange, body, routing_key=key)
        dead = (await dead_letters(channel, {poison["message_id"]}))[poison["message_id"]]
        await eventually(lambda: inbox_rows(engine, inbox), until=lambda n: n == 1)

    assert handler.calls.count(poison["message_id"]) == 2
    assert handler.calls.count(good["message_id"]) == 1
    assert dead.headers["x-attempts"] == 2
    assert "a bug this message always meets" in str(dead.headers["x-last-error"])
    assert json.loads(dead.body) == poison


@pytest.fixture(autouse=True)
async def _empty_queues(amqp_url: str) -> AsyncIterator[None]:
    yield
    async with amqp(amqp_url) as channel:
        for name in (QUEUE.name, QUEUE.retry_queue, QUEUE.dead_letter_queue):
            with contextlib.suppress(Exception):
                await (await channel.declare_queue(name, passive=True)).purge()
