"""The dead-letter tool over the real broker: a poison message dead-letters, the tool shows why,
the handler is fixed, and a replay applies the effect exactly once, keeping the message's ids
and trace context."""

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
from typer.testing import CliRunner

from chassis import Messaging
from chassis.messaging.broker import make_broker
from chassis.messaging.queue_publish import UnroutableError, publish_to_queue
from chassis.operations.dead_letter_cli import app, describe
from chassis.operations.dead_letters import DeadLetters, ReplayStoppedError
from contracts import CONSUMER_QUEUES, ConsumerQueueNames, Envelope, UserAccountCreated
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp

QUEUE = ConsumerQueueNames("chassis_test.dlq_tool", events=(UserAccountCreated,))
# A queue whose arguments changed: its generation of before may still hold dead letters.
OLD_GENERATION = "chassis_test.dlq_renamed"
RENAMED = ConsumerQueueNames(
    OLD_GENERATION + ".v2", events=(UserAccountCreated,), retired=(OLD_GENERATION,)
)
OLD_DLQ = OLD_GENERATION + ".dlq"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Handler:
    """Fails while ``broken``; counts the effects it applied."""

    def __init__(self) -> None:
        self.broken = True
        self.applied: list[str] = []

    async def __call__(self, envelope: Envelope[Any], connection: AsyncConnection) -> None:
        if self.broken:
            raise ValueError("handler bug: cannot handle this yet")
        self.applied.append(str(envelope.message_id))


@contextlib.asynccontextmanager
async def consuming(
    amqp_url: str, engine: AsyncEngine, inbox: Table, handler: Handler
) -> AsyncIterator[Messaging]:
    messaging = Messaging(
        make_broker(amqp_url, app_id="chassis-test", prefetch=4),
        exchange="chassis-test.events",
        engine=engine,
        inbox=inbox,
        retry_delay_ms=50,
        max_attempts=2,
        relay=None,
        listener=None,
    )
    messaging.consume(name="chassis-dlq-test", queue=QUEUE, handle=handler, description="test")
    await messaging.start()
    try:
        await asyncio.wait_for(messaging.connected.wait(), timeout=30)
        yield messaging
    finally:
        await messaging.stop()


def account_created() -> dict[str, Any]:
    user_id = uuid4()
    return Envelope.wrap(
        UserAccountCreated(user_id=user_id, email=f"u-{user_id.hex[:8]}@example.com"),
        message_id=uuid4(),
        occurred_at=datetime.now(UTC),
        producer="chassis-test",
        correlation_id="request-42",
        aggregate_id=user_id,
        aggregate_version=1,
    ).model_dump(mode="json")


@contextlib.asynccontextmanager
async def confirming(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel whose publish returns once the broker has the message (publisher confirms,
    which aio-pika turns on by default; asked for here so that no test depends on a default)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()


async def publish(amqp_url: str, body: dict[str, Any]) -> None:
    async with confirming(amqp_url) as channel:
        exchange = await channel.declare_exchange(
            QUEUE.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await exchange.publish(
            aio_pika.Message(
                json.dumps(body).encode(),
                message_id=body["message_id"],
                correlation_id="request-42",
                type=body["type"],
                headers={"traceparent": TRACEPARENT},
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=UserAccountCreated.routing_key(),
        )


async def inbox_rows(engine: AsyncEngine, inbox: Table) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(inbox))).scalar())


async def test_a_poison_message_is_shown_with_its_reason_and_replayed_once_the_handler_is_fixed(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    tool = DeadLetters(amqp_url, [QUEUE])
    handler = Handler()
    body = account_created()
    async with consuming(amqp_url, engine, inbox, handler):
        await publish(amqp_url, body)
        depths = await eventually(
            tool.depths, until=lambda d: d[0].dead_letters == 1, timeout=30, what="a dead letter"
        )
        assert depths[0].dead_letter_queue == QUEUE.dead_letter_queue

        [letter] = await tool.show(QUEUE.name)
        assert letter.message_id == body["message_id"]
        assert letter.correlation_id == "request-42"
        assert letter.type == body["type"]
        assert letter.died_in == QUEUE.name
        assert letter.attempts == 2
        assert letter.first_death_at is not None
        assert letter.last_death_at is not None
        assert letter.first_death_at <= letter.last_death_at
        shown = describe(letter)
        assert "handler bug: cannot handle this yet" in shown
        assert f"died in     {QUEUE.name} after 2 attempts" in shown
        # Showing puts it back, and returns once the queue holds it again.
        assert (await tool.depths())[0].dead_letters == 1

        handler.broken = False  # the fix is deployed
        assert await tool.replay(QUEUE.name) == [body["message_id"]]

        await eventually(lambda: inbox_rows(engine, inbox), until=lambda n: n == 1, timeout=20)
        assert (await tool.depths())[0].dead_letters == 0

    assert handler.applied == [body["message_id"]]


async def test_a_replayed_message_keeps_its_ids_headers_and_trace_context(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    """Replayed while no consumer runs, so the test reads what arrives in the work queue."""
    handler = Handler()
    first, second = account_created(), account_created()
    async with consuming(amqp_url, engine, inbox, handler):
        await publish(amqp_url, first)
        await publish(amqp_url, second)
        tool = DeadLetters(amqp_url, [QUEUE])
        await eventually(
            tool.depths, until=lambda d: d[0].dead_letters == 2, timeout=30, what="two dead letters"
        )

    assert await tool.replay(QUEUE.dead_letter_queue, message_ids=[second["message_id"]]) == [
        second["message_id"]
    ]
    async with amqp(amqp_url) as channel:
        work = await channel.declare_queue(QUEUE.name, passive=True)
        replayed = await eventually(lambda: work.get(no_ack=True, fail=False), what="a replay")
    assert replayed.message_id == second["message_id"]
    assert replayed.correlation_id == "request-42"
    assert replayed.type == second["type"]
    assert replayed.headers["traceparent"] == TRACEPARENT
    assert replayed.headers["x-replayed-from"] == QUEUE.dead_letter_queue
    assert not replayed.headers.get("x-delivery-count")  # a fresh message to the consumer
    assert "x-last-error" not in replayed.headers
    # The letter the replay by id read and left is back, and so is the one shown.
    assert [d.dead_letters for d in await tool.waiting(QUEUE.name)] == [1]
    [left] = await tool.show(QUEUE.name)
    assert left.message_id == first["message_id"]
    assert await tool.replay(QUEUE.name, first=5) == [first["message_id"]]
    assert handler.applied == []


def test_the_cli_lists_every_consumer_queue_and_asks_before_purging(amqp_url: str) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["list", "--amqp-url", amqp_url])
    assert listed.exit_code == 0, listed.output
    for queue in CONSUMER_QUEUES:
        assert queue.dead_letter_queue in listed.output

    refused = runner.invoke(
        app, ["purge", CONSUMER_QUEUES[0].name, "--amqp-url", amqp_url], input="n\n"
    )
    assert refused.exit_code == 1
    assert "Aborted" in refused.output

    unknown = runner.invoke(app, ["show", "no.such.queue", "--amqp-url", amqp_url])
    assert unknown.exit_code == 2
    assert "no consumer queue" in unknown.output


async def put_dead_letter(channel: aio_pika.abc.AbstractChannel, dlq: str, died_in: str) -> str:
    """A dead letter as a consumer leaves it, straight into ``dlq`` (declared if missing), on a
    ``confirming`` channel: it is in the DLQ when this returns."""
    assert channel.publisher_confirms  # aio-pika's default, made explicit by ``confirming``
    await channel.declare_queue(dlq, durable=True, arguments={"x-queue-type": "quorum"})
    body = account_created()
    await channel.default_exchange.publish(
        aio_pika.Message(
            json.dumps(body).encode(),
            message_id=body["message_id"],
            type=body["type"],
            headers={"x-first-death-queue": died_in, "x-last-error": "handler bug"},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        dlq,
    )
    return str(body["message_id"])


async def depth(amqp_url: str, name: str) -> int:
    async with amqp(amqp_url) as channel:
        queue = await channel.declare_queue(name, passive=True)
        return int(queue.declaration_result.message_count or 0)


async def test_a_replay_to_a_queue_that_no_longer_exists_keeps_the_dead_letter(
    amqp_url: str,
) -> None:
    """The broker confirms a publish it routed nowhere: acking the dead letter on that confirm
    would lose it. The tool refuses, says why, and leaves it in the DLQ."""
    async with confirming(amqp_url) as channel:
        await channel.queue_delete(QUEUE.name)  # deleted (or renamed) since it died there
        message_id = await put_dead_letter(channel, QUEUE.dead_letter_queue, QUEUE.name)
    tool = DeadLetters(amqp_url, [QUEUE])
    await _ready_in_the_dlq(amqp_url, QUEUE.dead_letter_queue, 1)

    with pytest.raises(ReplayStoppedError, match=f"cannot replay to {QUEUE.name}") as stopped:
        await tool.replay(QUEUE.name)
    assert stopped.value.replayed == []
    assert [d.dead_letters for d in await tool.waiting(QUEUE.name)] == [1]
    assert [letter.message_id for letter in await tool.show(QUEUE.name)] == [message_id]


async def test_the_cli_says_why_a_replay_stopped(amqp_url: str) -> None:
    """A service's queue whose work queue is not declared in this vhost."""
    queue = CONSUMER_QUEUES[0]
    async with confirming(amqp_url) as channel:
        await put_dead_letter(channel, queue.dead_letter_queue, queue.name)
    try:
        await _ready_in_the_dlq(amqp_url, queue.dead_letter_queue, 1)
        result = await asyncio.to_thread(
            CliRunner().invoke, app, ["replay", queue.name, "--amqp-url", amqp_url]
        )
        assert result.exit_code == 3, result.output
        assert "0 replayed, then stopped" in result.output
        assert "does not exist" in result.output
        assert f"still in {queue.dead_letter_queue}" in result.output
        assert f"1 still in {queue.dead_letter_queue}" in result.output
        assert await depth(amqp_url, queue.dead_letter_queue) == 1
    finally:
        async with amqp(amqp_url) as channel:
            await channel.queue_delete(queue.dead_letter_queue)


async def test_what_show_and_a_replay_by_id_read_is_back_before_the_next_command_counts(
    amqp_url: str,
) -> None:
    """Each command is a process of its own: what one read and put back is ready in the DLQ
    again when it exits, so a full replay after it takes every letter, and says what is left."""
    queue = CONSUMER_QUEUES[0]
    dlq = queue.dead_letter_queue

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(app, [*args, queue.name, "--amqp-url", amqp_url])
        assert result.exit_code == 0, result.output
        return result

    async with confirming(amqp_url) as channel:
        await channel.declare_queue(queue.name, durable=True, arguments={"x-queue-type": "quorum"})
        ids = [await put_dead_letter(channel, dlq, queue.name) for _ in range(4)]
    try:
        await _ready_in_the_dlq(amqp_url, dlq, 4)
        shown = await asyncio.to_thread(cli, "show")
        assert f"4 shown; 4 still in {dlq}" in shown.output
        assert "returned    0 times to its DLQ" in shown.output  # the first read
        by_id = await DeadLetters(amqp_url, [queue]).replay(queue.name, message_ids=[ids[2]])
        assert by_id == [ids[2]]

        first = await asyncio.to_thread(cli, "replay", "--first", "1")
        assert f"1 replayed to {queue.name}, 2 still in {dlq}" in first.output
        rest = await asyncio.to_thread(cli, "replay")
        assert f"2 replayed to {queue.name}, 0 still in {dlq}" in rest.output
        assert await depth(amqp_url, queue.name) == 4
        async with amqp(amqp_url) as channel:
            work = await channel.declare_queue(queue.name, passive=True)
            replayed = [(await work.get(no_ack=True)).message_id for _ in range(4)]
        assert sorted(replayed) == sorted(ids)
    finally:
        async with amqp(amqp_url) as channel:
            for name in (queue.name, dlq):
                await channel.queue_delete(name)


async def test_a_publish_no_queue_takes_is_an_error_though_the_broker_confirms_it(
    amqp_url: str,
) -> None:
    """The queue checked, then gone before the publish: the mandatory publish's return tells."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        for message_id in ("an-id", None):
            with pytest.raises(UnroutableError, match=r"chassis_test\.never_declared"):
                await publish_to_queue(
                    channel,
                    aio_pika.Message(b"{}", message_id=message_id),
                    "chassis_test.never_declared",
                )
    finally:
        await connection.close()


async def test_the_dead_letters_of_a_retired_queue_generation_are_listed_shown_and_replayed(
    amqp_url: str,
) -> None:
    """Until the service moves them over, dead letters wait in the old generation's DLQ: the
    tool sees them under the queue's current name, and replays them to its current queue."""
    async with confirming(amqp_url) as channel:
        await channel.declare_queue(
            RENAMED.name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await channel.declare_queue(
            RENAMED.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        old_letter = await put_dead_letter(channel, OLD_DLQ, OLD_GENERATION)
    tool = DeadLetters(amqp_url, [RENAMED])

    depths = await eventually(
        tool.depths, until=lambda d: len(d) == 2 and d[1].dead_letters == 1, what="both DLQs"
    )
    assert [(d.dead_letter_queue, d.dead_letters, d.retired) for d in depths] == [
        (RENAMED.dead_letter_queue, 0, False),
        (OLD_DLQ, 1, True),
    ]
    [letter] = await tool.show(RENAMED.name)
    assert (letter.message_id, letter.died_in, letter.dead_letter_queue) == (
        old_letter,
        OLD_GENERATION,
        OLD_DLQ,
    )
    assert f"waits in    {OLD_DLQ}" in describe(letter)

    assert await tool.replay(RENAMED.name) == [old_letter]
    async with amqp(amqp_url) as channel:
        work = await channel.declare_queue(RENAMED.name, passive=True)
        replayed = await eventually(lambda: work.get(no_ack=True, fail=False), what="a replay")
    assert replayed.message_id == old_letter
    assert replayed.headers["x-replayed-from"] == OLD_DLQ
    assert await depth(amqp_url, OLD_DLQ) == 0

    async with confirming(amqp_url) as channel:
        await put_dead_letter(channel, OLD_DLQ, OLD_GENERATION)
        await put_dead_letter(channel, RENAMED.dead_letter_queue, RENAMED.name)
    await _ready_in_the_dlq(amqp_url, OLD_DLQ, 1)
    await _ready_in_the_dlq(amqp_url, RENAMED.dead_letter_queue, 1)
    assert await tool.purge(OLD_GENERATION) == 2


@pytest.fixture(autouse=True)
async def _no_renamed_queues(amqp_url: str) -> AsyncIterator[None]:
    yield
    async with amqp(amqp_url) as channel:
        for name in (RENAMED.name, RENAMED.dead_letter_queue, OLD_DLQ):
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)


@pytest.fixture(autouse=True)
async def _empty_queues(amqp_url: str) -> AsyncIterator[None]:
    yield
    async with amqp(amqp_url) as channel:
        for name in (QUEUE.name, QUEUE.retry_queue, QUEUE.dead_letter_queue):
            with contextlib.suppress(Exception):
                await (await channel.declare_queue(name, passive=True)).purge()


async def _ready_in_the_dlq(amqp_url: str, dlq: str, count: int) -> None:
    """The premise of what follows: ``count`` letters ready in ``dlq`` (a confirmed publish is
    there; this makes it explicit rather than relying on when the broker counts it)."""
    await eventually(
        lambda: depth(amqp_url, dlq),
        until=lambda n: n == count,
        timeout=30,
        what=f"{count} dead letter(s) ready in {dlq}",
    )
