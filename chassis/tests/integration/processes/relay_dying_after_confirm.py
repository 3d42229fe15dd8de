"""A relay process that stops between the broker's confirm and marking its rows sent, and waits
there to be killed: ``python relay_dying_after_confirm.py DATABASE_URL AMQP_URL SCHEMA``.

It prints ``confirmed <n>`` once the broker has confirmed a batch; its transaction (the claim's
row locks, the mark never written) dies with the process."""

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from sqlalchemy import MetaData, Row
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import message_tables
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.persistence.database import make_engine


class DyingRelay(OutboxRelay):
    async def _publish_and_mark(
        self, connection: AsyncConnection, rows: Sequence[Row[Any]]
    ) -> list[BaseException]:
        results = await self._publish_all(rows)
        print("confirmed", sum(error is None for error in results), flush=True)
        await asyncio.Event().wait()  # killed here, before the mark
        return []


async def main(database_url: str, amqp_url: str, schema: str) -> None:
    engine = make_engine(database_url, pool_size=2)
    broker = make_broker(amqp_url, app_id="chassis-test", prefetch=1)
    await broker.connect()
    relay = DyingRelay(
        engine,
        broker,
        message_tables(MetaData(schema=schema)).outbox,
        RelaySettings(poll_interval=0.05),
        app_id="chassis-test",
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
