"""The consumer's queues over the real broker: both retry hops are at-least-once dead-lettering,
and a vhost holding the queues of before (classic retry queue, at-most-once) is upgraded by the
topology step without losing a message, also while an old consumer still reads them."""

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import pytest
from aiormq.exceptions import ChannelNotFoundEntity
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.retired_queues import retire
from chassis.operations.dead_letters import DeadLetters
from contracts import ConsumerQueueNames, UserAccountCreated
from taskboard_testing import ThrowawayVhost, eventually
from taskboard_testing.amqp import amqp, publish_envelope
from taskboard_testing.rabbitmq import rabbitmqctl

from .test_reliable_consumer import Handler, account_created, consuming

OLD = "chassis_test.upgraded"
QUEUE = ConsumerQueueNames(OLD + ".v2", events=(UserAccountCreated,), retired=(OLD,))
ROUTING_KEY = UserAccountCreated.routing_key()

SLOW = 60.0  # rabbitmqctl and broker round trips; a busy CI machine is slow at both


def listed_queues(amqp_url: str) -> dict[str, dict[str, Any]]:
    """Each queue of the vhost as the broker lists it: ``messages`` (ready and unacknowledged)
    and its declared ``arguments``."""
    vhost = unquote(urlsplit(amqp_url).path[1:])
    listing = rabbitmqctl(
        "list_queues", "-p", vhost, "--formatter", "json", "name", "messages", "arguments"
    )
    rows = json.loads(listing[listing.index("[") :])
    return {
        row["name"]: {
            "messages": row["messages"],
            "arguments": {key: value for key, _, value in row["arguments"]},
        }
        for row in rows
    }


async def put(
    channel: aio_pika.abc.AbstractChannel,
    queue: str,
    body: dict[str, Any],
    headers: dict[str, Any] | None = None,
) -> None:
    """Straight into ``queue`` through the default exchange."""
    message = aio_pika.Message(
        json.dumps(body).encode(),
        headers=headers,
        message_id=body["message_id"],
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await channel.default_exchange.publish(message, queue)


async def test_both_retry_hops_are_at_least_once_dead_lettering(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    async with consuming(amqp_url, engine, inbox, Handler(), queue=QUEUE):
        pass
    queues = listed_queues(amqp_url)
    work, retry = queues[QUEUE.name]["arguments"], queues[QUEUE.retry_queue]["arguments"]
    for declared in (work, retry):
        assert declared["x-queue-type"] == "quorum"
        assert declared["x-dead-letter-strategy"] == "at-least-once"
        assert declared["x-overflow"] == "reject-publish"  # without it RabbitMQ falls back
    assert work["x-dead-letter-routing-key"] == QUEUE.retry_queue
    assert retry["x-dead-letter-routing-key"] == QUEUE.name
    assert retry["x-message-ttl"] == 100


async def test_a_retry_queue_at_its_length_limit_leaves_the_message_held_in_its_queue(
    amqp_url: str,
) -> None:
    """At-least-once: a dead-lettered message leaves its queue only once the target took it. A
    length limit (a policy an operator may set) on the retry queue makes it refuse: the message
    stays in the work queue, held (not ready) until RabbitMQ retries, never dropped or pushed
    past the limit. (Before, the classic retry queue dropped its head to make room.)"""
    held = ConsumerQueue(
        ConsumerQueueNames("chassis_test.held.v2", events=(UserAccountCreated,)),
        retry_delay_ms=3_600_000,  # what reaches the retry queue stays there for the test
    )
    vhost = unquote(urlsplit(amqp_url).path[1:])
    rabbitmqctl(
        "set_policy", "-p", vhost, "held-limit", f"^{held.retry_name}$", '{"max-length": 1}',
        "--apply-to", "queues",
    )  # fmt: skip
    sent = [account_created() for _ in range(4)]
    try:
        async with amqp(amqp_url) as channel:
            retry = held.retry_queue()
            work = held.work_queue()
            await channel.declare_queue(retry.name, durable=True, arguments=retry.arguments)
            queue = await channel.declare_queue(work.name, durable=True, arguments=work.arguments)
            for body in sent:
                await put(channel, held.name, body)
            for _ in sent:
                taken = await eventually(lambda: queue.get(no_ack=False, fail=False), timeout=SLOW)
                await taken.reject(requeue=False)

            def counts() -> tuple[int, int]:
                listed = listed_queues(amqp_url)
                return listed[held.name]["messages"], listed[held.retry_name]["messages"]

            _, in_retry = await eventually(
                lambda: asyncio.to_thread(counts),
                until=lambda c: c[0] >= 1 and c[1] >= 1 and sum(c) == len(sent),
                what="the retry queue full and the rest held in the work queue",
                timeout=SLOW,
            )
            ready = await channel.declare_queue(held.name, passive=True)
            assert ready.declaration_result.message_count == 0  # held, not handed out again
            assert in_retry < len(sent)
    finally:
        rabbitmqctl("clear_policy", "-p", vhost, "held-limit")
        async with amqp(amqp_url) as channel:
            for name in (held.name, held.retry_name):
                await channel.queue_delete(name)


async def old_topology(channel: aio_pika.abc.AbstractChannel) -> None:
    """The queues as the chassis declared them before: classic retry queue (TTL expiry is
    at-most-once there), at-most-once quorum work queue. The retry delay is long, so what
    waits in it is still there when the upgrade runs."""
    exchange = await channel.declare_exchange(
        QUEUE.exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    await channel.declare_queue(
        OLD + ".retry",
        durable=True,
        arguments={
            "x-message-ttl": 3_600_000,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": OLD,
        },
    )
    await channel.declare_queue(OLD + ".dlq", durable=True, arguments={"x-queue-type": "quorum"})
    work = await channel.declare_queue(
        OLD,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": OLD + ".retry",
            "x-delivery-limit": 20,
        },
    )
    await work.bind(exchange, ROUTING_KEY)


async def exists(amqp_url: str, name: str) -> bool:
    async with amqp(amqp_url) as channel:
        try:
            await channel.declare_queue(name, passive=True)
        except ChannelNotFoundEntity:
            return False
    return True


async def test_the_queues_of_before_are_emptied_into_the_new_ones_and_deleted(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    waiting, retried, dead = account_created(), account_created(), account_created()
    async with amqp(amqp_url) as channel:
        await old_topology(channel)
        await publish_envelope(channel, QUEUE.exchange, waiting, routing_key=ROUTING_KEY)
        await put(channel, OLD + ".retry", retried)
        # as the consumer of before dead-lettered it: "died in" the old work queue
        await put(channel, OLD + ".dlq", dead, {"x-first-death-queue": OLD, "x-attempts": 5})
    # Declaring the new arguments on the old names is what RabbitMQ refuses.
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed):
        async with amqp(amqp_url) as channel:
            await channel.declare_queue(OLD, durable=True, arguments=_new_work_arguments())

    handler = Handler()
    after = account_created()
    async with consuming(amqp_url, engine, inbox, handler, queue=QUEUE), amqp(amqp_url) as channel:
        await eventually(
            lambda: handled(handler),
            until=lambda calls: (
                sorted(calls) == sorted([waiting["message_id"], retried["message_id"]])
            ),
            what="the messages of the old work and retry queues handled",
            timeout=SLOW,
        )
        # The dead letter moved to the new DLQ; the tool finds it by the old name and replays
        # it to the queue's current name (the one it died in is gone).
        assert await DeadLetters(amqp_url, [QUEUE]).replay(OLD) == [dead["message_id"]]
        await handled_eventually(handler, dead, "the replayed dead letter of before handled")
        await publish_envelope(channel, QUEUE.exchange, after, routing_key=ROUTING_KEY)
        await handled_eventually(handler, after, "an event published after the upgrade handled")

    await assert_old_queues_gone(amqp_url)
    assert sorted(await handled(handler)) == sorted(
        str(body["message_id"]) for body in (waiting, retried, dead, after)
    )


async def test_an_old_consumer_keeps_its_queues_until_it_stops_and_nothing_is_lost(
    amqp_url: str, engine: AsyncEngine, inbox: Table
) -> None:
    held, after = account_created(), account_created()
    old_connection = await aio_pika.connect(amqp_url)
    try:
        old_channel = await old_connection.channel()
        await old_topology(old_channel)
        old_work = await old_channel.declare_queue(OLD, passive=True)
        taken: list[aio_pika.abc.AbstractIncomingMessage] = []

        async def old_consumer(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            taken.append(message)  # holds it unsettled, as a consumer at work does

        await old_work.consume(old_consumer)
        await publish_envelope(old_channel, QUEUE.exchange, held, routing_key=ROUTING_KEY)
        await eventually(
            lambda: _taken(taken), until=bool, what="the old consumer's delivery", timeout=SLOW
        )

        handler = Handler()
        async with consuming(
            amqp_url, engine, inbox, handler, queue=QUEUE, retire_interval=0.2
        ) as messaging:
            async with amqp(amqp_url) as channel:
                await publish_envelope(channel, QUEUE.exchange, after, routing_key=ROUTING_KEY)
            await handled_eventually(handler, after, "a new event handled by the new consumer")
            # Unbound, not deleted: the old consumer got no copy of the new event.
            assert await exists(amqp_url, OLD)
            assert [m.message_id for m in taken] == [held["message_id"]]
            assert not await messaging.retire_old_queues()  # it still has its consumer
            # The old consumer fails it (into the old retry queue), then the rolling update ends.
            await taken[0].reject(requeue=False)
            await old_connection.close()
            # The process's own rounds (every 0.2 s here) move it over and delete the queues.
            await eventually(
                lambda: exists(amqp_url, OLD + ".dlq"),  # the last one deleted
                until=lambda there: not there,
                what="the old queues gone",
                timeout=SLOW,
            )
            await handled_eventually(
                handler, held, "the old consumer's failed message handled by the new one"
            )
        await assert_old_queues_gone(amqp_url)
        assert handler.calls.count(after["message_id"]) == 1
    finally:
        with contextlib.suppress(Exception):
            await old_connection.close()


async def test_old_queues_that_cannot_be_retired_do_not_keep_the_consumer_from_starting(
    engine: AsyncEngine, inbox: Table
) -> None:
    """The broker refuses to delete the old queues (a user without the right): the consumer
    starts and works all the same, and the old queues' messages are not lost."""
    with ThrowawayVhost("chassis_retire") as vhost:
        waiting, after = account_created(), account_created()
        async with amqp(vhost.url) as channel:
            await old_topology(channel)
            await publish_envelope(channel, QUEUE.exchange, waiting, routing_key=ROUTING_KEY)
        # Everything but configure (declare, delete) on the old names.
        rabbitmqctl(
            "set_permissions", "-p", vhost.name, vhost.user,
            rf"^(?!{re.escape(OLD)}(\.retry|\.dlq)?$).*", ".*", ".*",
        )  # fmt: skip
        handler = Handler()
        async with consuming(vhost.url, engine, inbox, handler, queue=QUEUE) as messaging:
            async with amqp(vhost.url) as channel:
                await publish_envelope(channel, QUEUE.exchange, after, routing_key=ROUTING_KEY)
            await handled_eventually(handler, after, "an event handled although retiring failed")
            await handled_eventually(handler, waiting, "the old queue's message moved and handled")
            assert await exists(vhost.url, OLD)  # not deleted: refused
            vhost.grant()
            assert await messaging.retire_old_queues()
        await assert_old_queues_gone(vhost.url)


async def test_retiring_moves_nothing_into_queues_that_do_not_exist(amqp_url: str) -> None:
    """The new queues were deleted (or never declared): the broker confirms a copy it routed
    nowhere, so the old queues would be emptied and deleted with nothing moved. The round
    stops instead, and every message waits in the old queues for a later round."""
    waiting, retried, dead = account_created(), account_created(), account_created()
    async with amqp(amqp_url) as channel:
        await old_topology(channel)
        await publish_envelope(channel, QUEUE.exchange, waiting, routing_key=ROUTING_KEY)
        await put(channel, OLD + ".retry", retried)
        await put(channel, OLD + ".dlq", dead, {"x-first-death-queue": OLD})
        for name in (QUEUE.name, QUEUE.retry_queue, QUEUE.dead_letter_queue):
            await channel.queue_delete(name)

    connection = await aio_pika.connect(amqp_url)
    try:
        assert not await retire(connection, ConsumerQueue(QUEUE))
    finally:
        await connection.close()

    def old_depths() -> dict[str, int]:
        listed = listed_queues(amqp_url)
        return {name: listed[name]["messages"] for name in (OLD, OLD + ".retry", OLD + ".dlq")}

    assert await eventually(
        lambda: asyncio.to_thread(old_depths),
        until=lambda depths: set(depths.values()) == {1},
        what="every message still in its old queue",
        timeout=SLOW,
    )


def _new_work_arguments() -> dict[str, Any]:
    return dict(ConsumerQueue(QUEUE).work_queue().arguments or {})


async def handled(handler: Handler) -> list[str]:
    return [str(call) for call in handler.calls]


async def handled_eventually(handler: Handler, body: dict[str, Any], what: str) -> None:
    await eventually(
        lambda: handled(handler),
        until=lambda calls: str(body["message_id"]) in calls,
        what=what,
        timeout=SLOW,
    )


async def assert_old_queues_gone(amqp_url: str) -> None:
    for name in (OLD, OLD + ".retry", OLD + ".dlq"):
        assert not await exists(amqp_url, name), f"{name} was not deleted"


async def _taken(taken: list[Any]) -> list[Any]:
    return list(taken)


@pytest.fixture(autouse=True)
async def _no_queues_left(amqp_url: str) -> AsyncIterator[None]:
    yield
    async with amqp(amqp_url) as channel:
        for name in (QUEUE.name, QUEUE.retry_queue, QUEUE.dead_letter_queue, OLD, OLD + ".retry"):
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
        with contextlib.suppress(Exception):
            await channel.queue_delete(OLD + ".dlq")
