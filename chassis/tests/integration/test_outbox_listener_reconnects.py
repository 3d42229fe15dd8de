"""The relay's LISTEN session ended by PostgreSQL (``pg_terminate_backend``, as an operator or
a failover does): the listener opens a new one by itself, and a row committed once the new
session is listening is published at once, woken by its NOTIFY. The relay polls only once an
hour here, far beyond every deadline of the test, so nothing in time came from its poll."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis import MessageTables
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_listener import OutboxListener
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.persistence.database import driver_free_url
from taskboard_testing import eventually
from taskboard_testing.amqp import Capture, amqp

from .test_outbox_relay_guarantees import APP_ID, EXCHANGE, ROUTING_KEY, add_rows, state

POLL_INTERVAL = 3600.0  # the relay's fallback poll: never within the test
PROMPTLY = 20.0  # seconds: a NOTIFY-driven publish takes milliseconds, the poll an hour


@dataclass(frozen=True)
class Backend:
    pid: int
    state: str | None
    query: str

    @property
    def listening(self) -> bool:
        """Idle after its LISTEN: the listener's first statement on a session is the LISTEN,
        and its only later one is the periodic ``SELECT 1`` check."""
        ran_listen = self.query.startswith("LISTEN") or self.query == "SELECT 1"
        return self.state == "idle" and ran_listen


class Sessions:
    """The listener's sessions in the test's database, as ``pg_stat_activity`` shows them."""

    def __init__(self, connection: asyncpg.Connection, application_name: str) -> None:
        self._connection = connection
        self._application_name = application_name

    async def backends(self) -> list[Backend]:
        rows = await self._connection.fetch(
            "SELECT pid, state, query FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            self._application_name,
        )
        return [Backend(row["pid"], row["state"], row["query"]) for row in rows]

    async def terminate(self, pid: int) -> bool:
        ended: bool = await self._connection.fetchval("SELECT pg_terminate_backend($1)", pid)
        return ended


@contextlib.asynccontextmanager
async def running(*coroutines: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_the_listen_session_comes_back_after_termination_and_notify_wakes_the_relay(
    database_url: str, amqp_url: str, engine: AsyncEngine, outbox: Table, tables: MessageTables
) -> None:
    application_name = f"chassis-test-listener-{uuid.uuid4().hex[:8]}"
    wakes: list[str] = []  # one entry per call of the listener's callback
    broker = make_broker(amqp_url, app_id=APP_ID, prefetch=1)
    relay = OutboxRelay(
        engine, broker, outbox, RelaySettings(poll_interval=POLL_INTERVAL), app_id=APP_ID
    )

    def woken() -> None:
        wakes.append("wake")
        relay.wake()

    listener = OutboxListener(
        driver_free_url(database_url),
        tables.channel,
        on_notify=woken,
        application_name=application_name,
    )
    admin = await asyncpg.connect(driver_free_url(database_url), timeout=10)
    sessions = Sessions(admin, application_name)
    await broker.connect()
    try:
        async with amqp(amqp_url) as channel:
            source = await channel.declare_exchange(
                EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
            queue = await channel.declare_queue(f"listener-{uuid.uuid4().hex[:8]}", exclusive=True)
            await queue.bind(source, ROUTING_KEY)
            published = Capture(queue)
            async with running(relay.run(), listener.run()):
                first = await eventually(
                    sessions.backends,
                    until=lambda found: len(found) == 1 and found[0].listening,
                    timeout=30,
                    what="the listener's first session, listening",
                )
                await eventually(lambda: _connections(listener), until=lambda n: n == 1)

                assert await sessions.terminate(first[0].pid)

                # The premise, made sure of before anything is written: the old session is
                # gone, a new one has run its LISTEN, and the listener knows it (it counts a
                # connection only once its LISTEN is acknowledged).
                second = await eventually(
                    sessions.backends,
                    until=lambda found: (
                        len(found) == 1 and found[0].pid != first[0].pid and found[0].listening
                    ),
                    timeout=30,
                    what="a new LISTEN session in place of the terminated one",
                )
                await eventually(
                    lambda: _connections(listener),
                    until=lambda n: n == 2,
                    timeout=30,
                    what="the listener reconnected",
                )
                wakes_before = len(wakes)  # the catch-up wake of the reconnection included

                # A row and its NOTIFY in one transaction, as the services' outbox trigger does.
                ids = await add_rows(engine, outbox, 1, notify=tables.channel)
                message = await published.next(timeout=PROMPTLY)
                rows = await eventually(
                    lambda: state(engine, outbox),
                    until=lambda rows: rows[ids[0]][0],
                    timeout=PROMPTLY,
                    what="the row marked sent",
                )
                notified = len(wakes) - wakes_before
                still = [backend.pid for backend in await sessions.backends()]
            extra = await published.drain()
    finally:
        await broker.stop()
        await admin.close()

    assert message.message_id == ids[0]
    assert rows[ids[0]] == (True, 1)
    assert extra == []
    assert notified >= 1, "the NOTIFY never reached the new session"
    assert still == [second[0].pid]  # the new session, which got the NOTIFY, stayed
    assert listener.connections == 2


async def _connections(listener: OutboxListener) -> int:
    return listener.connections
