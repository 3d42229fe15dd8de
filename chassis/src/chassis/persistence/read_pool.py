"""A plain asyncpg pool for the read side, opened on first use.

Reads are single autocommit SELECTs, so they skip what the unit of work's SQLAlchemy pool does
around every checkout: no pre-ping round trip, no ROLLBACK on return, no statement compilation.
A connection the server closed (a restart) is noticed by asyncpg and replaced on acquire; a read
that meets one before asyncpg noticed is tried once more on a fresh connection (reads are safe
to repeat), which is what the pre-ping would have bought, paid only when it happens."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
from asyncpg.exceptions import (
    AdminShutdownError,
    InterfaceError,
    InternalClientError,
    PostgresConnectionError,
)
from opentelemetry.trace import Tracer

from chassis.telemetry.sql_spans import statement_span

# What a connection the server has closed raises, before asyncpg has seen it close.
CONNECTION_LOST = (
    AdminShutdownError,
    InterfaceError,
    InternalClientError,
    PostgresConnectionError,
    ConnectionError,
)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Release without the default reset query: read-only autocommit work leaves no session
    state behind (asyncpg still rolls back a transaction left open)."""


class ReadPool:
    """Single-statement reads on their own asyncpg pool; ``application_name`` is how its
    connections show in ``pg_stat_activity``."""

    def __init__(
        self, dsn: str, *, max_size: int, application_name: str, tracer: Tracer | None = None
    ) -> None:
        self._dsn = dsn
        self._tracer = tracer
        self._application_name = application_name
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None  # made in the running loop, on first use
        self._opening = asyncio.Lock()

    async def fetch(self, query: str, *args: Any) -> Sequence[asyncpg.Record]:
        if self._tracer is None:  # the untraced path pays nothing for tracing
            return await self._fetch(query, args)
        with statement_span(self._tracer, query):
            return await self._fetch(query, args)

    async def _fetch(self, query: str, args: tuple[Any, ...]) -> Sequence[asyncpg.Record]:
        pool = await self._open()
        try:
            rows: list[asyncpg.Record] = await pool.fetch(query, *args)
        except CONNECTION_LOST:
            rows = await pool.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        rows = await self.fetch(query, *args)
        return rows[0] if rows else None

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _open(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=1,
                        max_size=self._max_size,
                        reset=_keep_session,
                        server_settings={"application_name": self._application_name},
                    )
        return self._pool
