"""Port: one atomic business transaction."""

from __future__ import annotations

import abc
from types import TracebackType

from projects.application.ports.project_repository import ProjectRepository
from projects.domain.events import DomainEvent


class UnitOfWork(abc.ABC):
    """Everything done between entering and ``commit()`` lands together or not at all.

    On commit, the events raised by the projects it handed out are stored with them (the
    outbox), so a change and its integration event can never part. A project loaded for change
    stays locked against other writers until the unit of work ends, committed or not.
    """

    projects: ProjectRepository

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
        await self._commit(self.projects.take_events())

    @abc.abstractmethod
    async def _commit(self, events: list[DomainEvent]) -> None:
        """Persist the changes and the events atomically."""

    @abc.abstractmethod
    async def rollback(self) -> None: ...
