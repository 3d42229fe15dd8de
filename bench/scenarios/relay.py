"""Scenario 6: how fast one outbox relay moves events to the broker with confirms, beside the raw
confirmed-publish rate of aio-pika with 256 messages in flight, both on the same broker and vhost.

Relay: N valid ``UserEmailChanged`` envelopes (an event no consumer acts on) are inserted into
accounts-service's outbox with one SQL statement; the clock runs from its commit until none of
them is unpublished. A throw-away queue bound to their routing key checks that all N arrived.
Raw: N messages of the same size, persistent, published to a throw-away exchange and queue with
at most 256 unconfirmed at a time."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

from bench.context import Context
from bench.report import Row, ratio

ACCOUNTS_EXCHANGE = "accounts.events"
ROUTING_KEY = "user.email_changed.v1"
DEADLINE = 300.0

INSERT = """
WITH fresh AS (
    SELECT gen_random_uuid() AS message_id, gen_random_uuid() AS user_id, n
    FROM generate_series(1, $1::int) AS n
)
INSERT INTO accounts.outbox (
    message_id, message_type, exchange, routing_key, body,
    correlation_id, aggregate_id, aggregate_version, occurred_at
)
SELECT
    message_id, 'UserEmailChanged', $2, $3,
    jsonb_build_object(
        'message_id', message_id,
        'type', 'UserEmailChanged',
        'version', 1,
        'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'producer', 'accounts-service',
        'correlation_id', $4::text,
        'aggregate_id', user_id,
        'aggregate_version', 2,
        'payload', jsonb_build_object(
            'user_id', user_id,
            'old_email', 'bench-' || n || '@example.com',
            'new_email', 'bench-' || n || '-new@example.com'
        )
    ),
    $4::text, user_id, 2, now()
FROM fresh
"""
UNPUBLISHED = (
    "SELECT count(*) FROM accounts.outbox WHERE published_at IS NULL AND correlation_id = $1"
)


def scenario_6(ctx: Context) -> None:
    target = ctx.target
    if target.database_url is None or target.amqp_url is None:
        ctx.report.notes.append(
            "6 skipped: it needs the stack's database and broker "
            "(BENCH_DATABASE_URL, BENCH_AMQP_URL)"
        )
        return
    raw_rate, relay_rate, relay_seconds = asyncio.run(
        measure(target.database_url, target.amqp_url, ctx)
    )
    report, rows = ctx.report, ctx.options.outbox_rows
    report.rows.append(
        _row(
            "raw aio-pika, " + f"{ctx.options.in_flight} in flight",
            raw_rate,
            f"{rows:,} confirmed persistent publishes",
        )
    )
    report.rows.append(
        _row(
            "outbox relay (accounts)",
            relay_rate,
            f"{rows:,} rows in {relay_seconds:.1f} s, all arrived",
        )
    )
    report.figure("s6.raw_publish_rate", "6 raw confirmed publish rate", raw_rate, "msg/s")
    report.figure("s6.relay_rate", "6 relay rate (outbox → broker, confirmed)", relay_rate, "msg/s")
    report.figure(
        "s6.relay_over_raw", "6 relay / raw confirmed publish", ratio(relay_rate, raw_rate), "x"
    )
    print(f"  raw {raw_rate:.0f} msg/s, relay {relay_rate:.0f} msg/s")


def _row(variant: str, rate: float, note: str) -> Row:
    return Row("6 relay", variant, rps=rate, non_2xx=0, note=note)


async def measure(database_url: str, amqp_url: str, ctx: Context) -> tuple[float, float, float]:
    rows, in_flight = ctx.options.outbox_rows, ctx.options.in_flight
    connection = await asyncpg.connect(database_url)
    amqp = await aio_pika.connect(amqp_url)
    try:
        ctx.environment["postgresql"] = await connection.fetchval("SHOW server_version")
        ctx.environment["rabbitmq"] = _broker_version(amqp)
        channel = await amqp.channel(publisher_confirms=True)
        raw_rate = await raw_publish_rate(channel, rows, in_flight)
        relay_seconds, _ = await relay_time(connection, channel, rows)
    finally:
        await amqp.close()
        await connection.close()
    return raw_rate, rows / relay_seconds, relay_seconds


def _broker_version(amqp: aio_pika.abc.AbstractConnection) -> str | None:
    transport = amqp.transport
    if transport is None:
        return None
    version = transport.connection.server_properties.get("version")
    return version.decode() if isinstance(version, bytes) else str(version)


def sample_body() -> bytes:
    """About the size of a relayed UserEmailChanged envelope."""
    user_id = str(uuid.uuid4())
    return json.dumps(
        {
            "message_id": str(uuid.uuid4()),
            "type": "UserEmailChanged",
            "version": 1,
            "occurred_at": "2026-01-01T00:00:00.000000Z",
            "producer": "accounts-service",
            "correlation_id": "bench-raw",
            "aggregate_id": user_id,
            "aggregate_version": 2,
            "payload": {
                "user_id": user_id,
                "old_email": "bench-1@example.com",
                "new_email": "bench-1-new@example.com",
            },
        },
        separators=(",", ":"),
    ).encode()


async def raw_publish_rate(channel: AbstractChannel, count: int, in_flight: int) -> float:
    name = f"bench.raw.{uuid.uuid4().hex[:12]}"
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, auto_delete=True)
    queue = await channel.declare_queue(name, exclusive=True)
    await queue.bind(exchange, "#")
    body = sample_body()
    remaining = iter(range(count))

    async def publisher(exchange: AbstractExchange) -> None:
        for n in remaining:
            message = aio_pika.Message(
                body,
                message_id=f"raw-{n}",
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(message, routing_key=ROUTING_KEY)  # returns once confirmed

    try:
        start = time.perf_counter()
        await asyncio.gather(*(publisher(exchange) for _ in range(in_flight)))
        elapsed = time.perf_counter() - start
        await _wait_for_messages(queue, count)
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    return count / elapsed


async def relay_time(
    connection: asyncpg.Connection, channel: AbstractChannel, count: int
) -> tuple[float, int]:
    """From the commit of ``count`` outbox rows until every one is in the queue and marked sent;
    and how many messages the queue then holds (``count`` when each row was published once).
    The broker's queue depth is watched first (a cheap passive declare): counting the outbox
    every 10 ms meanwhile would cost PostgreSQL about as much CPU as the relay's own queries."""
    tag = f"bench-relay-{uuid.uuid4().hex[:12]}"
    queue = await channel.declare_queue(tag, exclusive=True)
    await queue.bind(ACCOUNTS_EXCHANGE, ROUTING_KEY)
    try:
        await connection.execute(INSERT, count, ACCOUNTS_EXCHANGE, ROUTING_KEY, tag)
        start = time.perf_counter()  # the INSERT committed (autocommit) when execute returned
        deadline = start + DEADLINE
        while await _queued(queue) < count:
            _check(deadline, count)
            await asyncio.sleep(0.01)
        while await connection.fetchval(UNPUBLISHED, tag):  # the last confirms being marked
            _check(deadline, count)
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
        arrived = await _queued(queue)  # every confirm is in: nothing more is on its way
    finally:
        await queue.delete(if_unused=False, if_empty=False)
    return elapsed, arrived


async def _queued(queue: AbstractQueue) -> int:
    declared = await queue.declare()
    return declared.message_count or 0


def _check(deadline: float, count: int) -> None:
    if time.perf_counter() > deadline:
        raise TimeoutError(f"the relay had not published {count} rows in {DEADLINE}s")


async def _wait_for_messages(queue: AbstractQueue, count: int, timeout: float = 30.0) -> None:
    """Every published message is in ``queue`` (the broker confirmed each one)."""
    deadline = time.perf_counter() + timeout
    while (ready := await _queued(queue)) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {ready} of {count} messages arrived in {queue.name}")
        await asyncio.sleep(0.05)
