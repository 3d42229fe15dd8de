"""AttemptThrottle on PostgreSQL: one row per (kind, subject), so every replica sees the same
counts. Past a kind's free allowance each attempt blocks the next for a delay that doubles up
to a cap (OWASP: temporary, increasing delays; no lockout an attacker could make permanent);
a count is forgotten once its last attempt is older than ``forget_after``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from accounts.application.ports import Attempt, AttemptKind, AttemptThrottle
from accounts.infrastructure.persistence.tables import attempts

MAX_SUBJECT = 300


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


class PgAttemptThrottle(AttemptThrottle):
    def __init__(self, engine: AsyncEngine, policies: Mapping[AttemptKind, ThrottlePolicy]) -> None:
        self._engine = engine
        self._policies = policies

    async def wait(self, given: Sequence[Attempt]) -> float:
        keys = [(a.kind.value, a.subject[:MAX_SUBJECT]) for a in given]
        query = select(
            func.max(func.extract("epoch", attempts.c.blocked_until - func.now()))
        ).where(
            tuple_(attempts.c.kind, attempts.c.subject).in_(keys),
            attempts.c.blocked_until > func.now(),
        )
        async with self._engine.connect() as connection:
            wait = (await connection.execute(query)).scalar_one()
        return float(wait or 0.0)

    async def count(self, given: Sequence[Attempt]) -> None:
        async with self._engine.begin() as connection:
            for attempt in given:
                policy = self._policies[attempt.kind]
                subject = attempt.subject[:MAX_SUBJECT]
                new_row = insert(attempts).values(
                    kind=attempt.kind.value, subject=subject, count=1, last_at=func.now()
                )
                forgotten = attempts.c.last_at < func.now() - func.make_interval(
                    0, 0, 0, 0, 0, 0, policy.forget_after
                )
                statement = new_row.on_conflict_do_update(
                    index_elements=[attempts.c.kind, attempts.c.subject],
                    set_={
                        "count": case((forgotten, 1), else_=attempts.c.count + 1),
                        "last_at": func.now(),
                    },
                ).returning(attempts.c.count)
                count = (await connection.execute(statement)).scalar_one()
                delay = policy.delay(count)
                if delay:
                    until = func.now() + func.make_interval(0, 0, 0, 0, 0, 0, delay)
                    await connection.execute(
                        update(attempts)
                        .where(attempts.c.kind == attempt.kind.value, attempts.c.subject == subject)
                        .values(blocked_until=func.greatest(attempts.c.blocked_until, until))
                    )

    async def forget(self, attempt: Attempt) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                attempts.delete().where(
                    and_(
                        attempts.c.kind == attempt.kind.value,
                        attempts.c.subject == attempt.subject[:MAX_SUBJECT],
                    )
                )
            )
