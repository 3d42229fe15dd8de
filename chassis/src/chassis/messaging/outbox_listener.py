"""Wakes the relay right after a commit adds outbox rows (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

logger = logging.getLogger(__name__)


class OutboxListener:
    """A dedicated connection LISTENing on the outbox channel. A PostgreSQL restart kills it
    silently, and a half-open connection (a peer gone without a FIN) never reports anything, so
    it is also checked every ``check_interval`` seconds with a bounded query. Whatever breaks
    it — a failed connect, LISTEN or check, a lost connection — it reconnects with backoff and
    wakes the relay to catch up on what it missed; the relay's polling covers the gap. Its
    session carries ``application_name``, so an operator finds it in ``pg_stat_activity``."""

    def __init__(
        self,
        dsn: str,
        channel: str,
        on_notify: Callable[[], None],
        *,
        check_interval: float = 10.0,
        check_timeout: float = 5.0,
        application_name: str = "outbox-listener",
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_notify = on_notify
        self._check_interval = check_interval
        self._check_timeout = check_timeout
        self._application_name = application_name
        self.connections = 0  # how often it (re)connected: for tests and logs

    async def run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - anything: reconnect, never end
                logger.warning("outbox listener: %r; reconnecting in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            else:
                backoff = 0.5

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(
            self._dsn, timeout=5, server_settings={"application_name": self._application_name}
        )
        try:
            closed = asyncio.Event()
            connection.add_termination_listener(lambda _c: closed.set())
            await connection.add_listener(self._channel, lambda *_args: self._on_notify())
            self.connections += 1
            self._on_notify()  # catch up on anything committed while not listening
            while not closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), timeout=self._check_interval)
                if not closed.is_set():
                    await connection.fetchval("SELECT 1", timeout=self._check_timeout)
            logger.warning("outbox listener lost its connection; reconnecting")
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
