"""Attempts counted per (kind, subject) on PostgreSQL, so every replica sees the same counts: a
kind's free allowance, then each attempt blocks the next for a delay that doubles up to a cap
(OWASP: temporary, increasing delays; no lockout an attacker could make permanent). A count is
forgotten once its last attempt is older than its policy's ``forget_after``.

A kind and a subject are opaque strings to the chassis ("failed-login-client", an address)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

MAX_KIND = 40
MAX_SUBJECT = 300

Key = tuple[str, str]
"""An attempt's (kind, subject)."""


def attempt_table(metadata: MetaData) -> Table:
    """Declare ``attempts`` on ``metadata`` (whose schema names the service)."""
    return Table(
        "attempts",
        metadata,
        Column("kind", String(MAX_KIND), primary_key=True),
        Column("subject", String(MAX_SUBJECT), primary_key=True),
        Column("count", Integer, nullable=False),
        Column("last_at", DateTime(timezone=True), nullable=False),
        Column("blocked_until", DateTime(timezone=True), nullable=True),
    )


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    free: int  # attempts allowed before any delay
    base_delay: float  # seconds of the first delay; each later attempt doubles it
    max_delay: float
    forget_after: float  # seconds without an attempt after which the count starts again

    def delay(self, count: int) -> float:
        """Seconds the ``count``-th attempt blocks the next one."""
        if count <= self.free:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(count - self.free - 1, 40)))


class AttemptCounter:
    """The attempts of ``table``, each kind counted by its policy in ``policies``."""

    def __init__(
        self, engine: AsyncEngine, table: Table, policies: Mapping[str, ThrottlePolicy]
    ) -> None:
        self._engine = engine
        self._table = table
        self._policies = policies

    async def wait(self, keys: Sequence[Key]) -> float:
        """Seconds until every one of ``keys`` is allowed again (0: allowed now)."""
        t = self._table
        query = select(func.max(func.extract("epoch", t.c.blocked_until - func.now()))).where(
            tuple_(t.c.kind, t.c.subject).in_([_bounded(key) for key in keys]),
            t.c.blocked_until > func.now(),
        )
        async with self._engine.connect() as connection:
            wait = (await connection.execute(query)).scalar_one()
        return float(wait or 0.0)

    async def count(self, keys: Sequence[Key]) -> None:
        """One more attempt of each; past its kind's free allowance each delays the next."""
        t = self._table
        async with self._engine.begin() as connection:
            for key in keys:
                policy = self._policies[key[0]]
                kind, subject = _bounded(key)
                new_row = insert(t).values(kind=kind, subject=subject, count=1, last_at=func.now())
                forgotten = t.c.last_at < func.now() - _seconds(policy.forget_after)
                statement = new_row.on_conflict_do_update(
                    index_elements=[t.c.kind, t.c.subject],
                    set_={
                        "count": case((forgotten, 1), else_=t.c.count + 1),
                        "last_at": func.now(),
                    },
                ).returning(t.c.count)
                delay = policy.delay((await connection.execute(statement)).scalar_one())
                if delay:
                    until = func.now() + _seconds(delay)
                    await connection.execute(
                        update(t)
                        .where(t.c.kind == kind, t.c.subject == subject)
                        .values(blocked_until=func.greatest(t.c.blocked_until, until))
                    )

    async def forget(self, key: Key) -> None:
        """Clear the count of ``key`` (a successful login clears its account's failures)."""
        t = self._table
        kind, subject = _bounded(key)
        async with self._engine.begin() as connection:
            await connection.execute(
                t.delete().where(and_(t.c.kind == kind, t.c.subject == subject))
            )


def _bounded(key: Key) -> Key:
    return key[0], key[1][:MAX_SUBJECT]


def _seconds(seconds: float) -> object:
    return func.make_interval(0, 0, 0, 0, 0, 0, seconds)
