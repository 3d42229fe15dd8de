"""Wakes the relay right after a commit adds outbox rows (PostgreSQL LISTEN/NOTIFY)."""

import asyncio
import logging
from collections.abc import Callable

import asyncpg

logger = logging.getLogger(__name__)


class OutboxListener:
    """A dedicated connection LISTENing on the outbox channel. A PostgreSQL restart kills it
    silently, so it reconnects with backoff and wakes the relay to catch up on what it missed;
    the relay's polling covers the gap meanwhile."""

    def __init__(self, dsn: str, channel: str, on_notify: Callable[[], None]) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_notify = on_notify

    async def run(self) -> None:
        backoff = 0.5
        while True:
            closed = asyncio.Event()
            try:
                connection = await asyncpg.connect(self._dsn, timeout=5)
            except (OSError, asyncpg.PostgresError) as error:
                logger.warning("outbox listener cannot connect (%s); retrying", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            try:
                connection.add_termination_listener(lambda _c, done=closed: done.set())
                await connection.add_listener(self._channel, lambda *_args: self._on_notify())
                self._on_notify()  # catch up on anything committed while not listening
                await closed.wait()
                logger.warning("outbox listener lost its connection; reconnecting")
            finally:
                await connection.close(timeout=2)
