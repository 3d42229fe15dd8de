"""Port: one atomic business transaction."""

from __future__ import annotations

import abc
from types import TracebackType

from accounts.application.ports.user_repository import UserRepository
from accounts.domain.events import DomainEvent


class UnitOfWork(abc.ABC):
    """Everything done between entering and ``commit()`` lands together or not at all: the
    users it handed out and the events they raised (stored as the outbox), so a change and its
    integration event can never part. Two registrations of one address race to one winner."""

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
        await self._commit(self.users.take_events())

    @abc.abstractmethod
    async def _commit(self, events: list[DomainEvent]) -> None:
        """Persist the changes and the events atomically."""

    @abc.abstractmethod
    async def rollback(self) -> None: ...
