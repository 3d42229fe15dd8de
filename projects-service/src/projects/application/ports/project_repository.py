"""Port: load and store Project aggregates."""

import abc
from uuid import UUID

from projects.domain.events import DomainEvent
from projects.domain.project import Project


class ProjectRepository(abc.ABC):
    """Collection-like access to live projects; remembers what it handed out so events can be
    collected. ``get`` is for changing: it holds the project against concurrent writers until
    the unit of work ends."""

    def __init__(self) -> None:
        self.seen: set[Project] = set()

    def take_events(self) -> list[DomainEvent]:
        """The events the projects handed out have raised (each one's in order); taken once."""
        events = [event for project in self.seen for event in project.events]
        for project in self.seen:
            project.events.clear()
        return events

    def add(self, project: Project) -> None:
        self._add(project)
        self.seen.add(project)

    async def get(self, project_id: UUID, *, task_number: int | None = None) -> Project | None:
        """The project with its task counts and, when ``task_number`` is given, that task (if
        it exists); None when the project is missing or deleted."""
        project = await self._get(project_id, task_number)
        if project is not None:
            self.seen.add(project)
        return project

    @abc.abstractmethod
    def _add(self, project: Project) -> None: ...

    @abc.abstractmethod
    async def _get(self, project_id: UUID, task_number: int | None) -> Project | None: ...
