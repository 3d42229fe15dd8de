"""The chassis's own relay, unchanged, in a process that SIGKILLs itself between the broker's
confirm and the commit that marks the rows sent:
``python relay_dying_after_confirm.py DATABASE_URL AMQP_URL SCHEMA``.

The relay marks only rows the broker confirmed, so its marking ``UPDATE`` is the proof of the
confirm. A hook on the engine lets that statement run, then, at the commit of its transaction
and before anything is sent to PostgreSQL, prints ``dying before the commit of <ids>`` and kills
the process: the mark is never committed, and the claim's row locks die with the connection."""

import asyncio
import os
import signal
import sys
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection

from chassis import message_tables
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.persistence.database import make_engine

MARKED = "marked"  # key in the connection's info: the ids its transaction marked sent


def die_before_the_mark_commits(connection: Connection) -> None:
    # ConnectionEvents.commit runs before the commit goes to the database.
    marked = connection.info.pop(MARKED, None)
    if marked:
        print("dying before the commit of", *marked, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


def note_the_mark(
    connection: Connection,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if statement.lstrip().upper().startswith("UPDATE") and "published_at" in statement:
        # asyncpg's positional parameters: the ids are the one array among them.
        ids = next(value for value in parameters if isinstance(value, list | tuple))
        connection.info[MARKED] = sorted(str(message_id) for message_id in ids)


async def main(database_url: str, amqp_url: str, schema: str) -> None:
    engine = make_engine(database_url, pool_size=2)
    event.listen(engine.sync_engine, "after_cursor_execute", note_the_mark)
    event.listen(engine.sync_engine, "commit", die_before_the_mark_commits)
    broker = make_broker(amqp_url, app_id="chassis-test", prefetch=1)
    await broker.connect()
    relay = OutboxRelay(
        engine,
        broker,
        message_tables(MetaData(schema=schema)).outbox,
        RelaySettings(poll_interval=0.05),
        app_id="chassis-test",
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
