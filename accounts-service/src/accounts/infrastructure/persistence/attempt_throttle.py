"""AttemptThrottle on the chassis's AttemptCounter (PostgreSQL: every replica sees the same
counts), each kind of attempt counted by its policy."""

from collections.abc import Sequence

from accounts.application.ports import Attempt, AttemptThrottle
from chassis import AttemptCounter


class PgAttemptThrottle(AttemptThrottle):
    def __init__(self, counter: AttemptCounter) -> None:
        self._counter = counter

    async def wait(self, attempts: Sequence[Attempt]) -> float:
        return await self._counter.wait([_key(attempt) for attempt in attempts])

    async def count(self, attempts: Sequence[Attempt]) -> None:
        await self._counter.count([_key(attempt) for attempt in attempts])

    async def forget(self, attempt: Attempt) -> None:
        await self._counter.forget(_key(attempt))


def _key(attempt: Attempt) -> tuple[str, str]:
    return attempt.kind.value, attempt.subject
