"""Where the verifier learns that a user's older tokens were ended (a logout, a new password).

A service keeps, per user, the instant before which every token of that user is refused; the
verifier asks a ``Revocations`` source on every request, verified-token cache or not. The source
the chassis offers keeps a snapshot of the service's own table in memory and reloads it at most
once per ``refresh_interval``, so a revocation recorded by any replica reaches every replica
within that interval, at one small query per interval per replica."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Column

from chassis.persistence.read_pool import ReadPool

logger = logging.getLogger(__name__)

ISSUED_AT_CLAIM = "iat_us"
"""Issue time in microseconds since the epoch: ``iat`` has one-second resolution, so a token
issued right after a logout could not be told from one issued right before it."""


class Revocations(Protocol):
    """The instant (epoch seconds) before which a user's tokens are refused, or None."""

    async def revoked_before(self, user_id: UUID) -> float | None: ...


class PolledRevocations:
    """A ``Revocations`` answered from a snapshot ``load`` returns, reloaded when older than
    ``refresh_interval``. A failed reload keeps the last snapshot (and is tried again at the
    next interval): an unreachable database must not turn every request into an error here."""

    def __init__(
        self,
        load: Callable[[], Awaitable[Mapping[UUID, float]]],
        *,
        refresh_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._interval = refresh_interval
        self._clock = clock
        self._snapshot: Mapping[UUID, float] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def revoked_before(self, user_id: UUID) -> float | None:
        if self._stale():
            async with self._lock:
                if self._stale():  # whoever held the lock may have reloaded already
                    await self._reload()
        return self._snapshot.get(user_id)

    def _stale(self) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at >= self._interval

    async def _reload(self) -> None:
        attempted = self._clock()
        try:
            self._snapshot = dict(await self._load())
        except Exception as error:  # noqa: BLE001 - keep serving with the last snapshot
            logger.warning("Reloading token revocations failed (%r); keeping the last.", error)
        self._loaded_at = attempted


# Older revocations cannot matter: no access token lives longer than a day.
_RECENT = """
SELECT {user}, {instant} FROM {table}
WHERE {instant} > now() - interval '1 day'
"""


class RecentRevocations:
    """The ``load`` of a ``PolledRevocations``: ``{user id: epoch seconds}`` of every
    revocation younger than any live token, from the service's own table and columns."""

    def __init__(self, pool: ReadPool, user_id: Column[UUID], revoked_before: Column[Any]) -> None:
        table = user_id.table
        self._pool = pool
        self._query = _RECENT.format(
            user=user_id.name, instant=revoked_before.name, table=getattr(table, "fullname", table)
        )
        self._user, self._instant = user_id.name, revoked_before.name

    async def __call__(self) -> Mapping[UUID, float]:
        rows = await self._pool.fetch(self._query)
        return {row[self._user]: row[self._instant].timestamp() for row in rows}
