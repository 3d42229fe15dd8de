"""Port: load and store Project aggregates."""

import abc
from uuid import UUID

from projects.domain.project import Project


class ProjectRepository(abc.ABC):
    """Collection-like access to live projects, within one unit of work, which stores the
    events of the projects it handed out. ``get`` is for changing: it holds the project against
    concurrent writers until the unit of work ends."""

    @abc.abstractmethod
    def add(self, project: Project) -> None: ...

    @abc.abstractmethod
    async def get(self, project_id: UUID, *, task_number: int | None = None) -> Project | None:
        """The project with its task counts and, when ``task_number`` is given, that task (if
        it exists); None when the project is missing or deleted."""
