"""Port: one atomic business transaction."""

from __future__ import annotations

import abc
from types import TracebackType

from accounts.application.ports.user_repository import UserRepository
from accounts.domain.events import DomainEvent


class UnitOfWork(abc.ABC):
    """Everything done between entering and ``commit()`` lands together or not at all.

    On commit, the events raised by the aggregates it handed out are stored with them
    (the outbox), so a change and its integration event can never part.
    """

    users: UserRepository

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        events = self._collect_events()
        await self._commit(events)

    def _collect_events(self) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for user in self.users.seen:
            events.extend(user.events)
            user.events.clear()
        return events

    @abc.abstractmethod
    async def _commit(self, events: list[DomainEvent]) -> None:
        """Persist the changes and the events atomically."""

    @abc.abstractmethod
    async def rollback(self) -> None: ...
