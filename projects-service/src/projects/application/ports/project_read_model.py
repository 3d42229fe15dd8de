"""Port: the read side (CQRS) — views answered straight from storage, no aggregate loaded."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from projects.domain.project import Project
from projects.domain.task import Task


@dataclass(frozen=True, slots=True)
class TaskView:
    number: int
    name: str
    completed_at: datetime | None

    @classmethod
    def of(cls, task: Task) -> TaskView:
        return cls(number=task.number, name=task.name.value, completed_at=task.completed_at)


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: UUID
    name: str
    maximum_number_of_incomplete_tasks: int | None
    archived_at: datetime | None
    number_of_tasks: int
    number_of_completed_tasks: int

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def number_of_incomplete_tasks(self) -> int:
        return self.number_of_tasks - self.number_of_completed_tasks

    @classmethod
    def of(cls, project: Project) -> ProjectView:
        """The same view, built from an aggregate a command has just changed."""
        return cls(
            id=project.id,
            name=project.name.value,
            maximum_number_of_incomplete_tasks=project.maximum_number_of_incomplete_tasks,
            archived_at=project.archived_at,
            number_of_tasks=project.number_of_tasks,
            number_of_completed_tasks=project.number_of_completed_tasks,
        )


@dataclass(frozen=True, slots=True)
class ProjectPage:
    projects: list[ProjectView]
    total: int
    limit: int
    offset: int


class ProjectReadModel(abc.ABC):
    """Answers queries about one owner's live (not deleted) projects."""

    @abc.abstractmethod
    async def list_projects(self, owner_id: UUID, *, limit: int, offset: int) -> ProjectPage:
        """Oldest first; ``total`` counts every live project of the owner."""

    @abc.abstractmethod
    async def get_project(self, owner_id: UUID, project_id: UUID) -> ProjectView | None: ...

    @abc.abstractmethod
    async def list_tasks(self, owner_id: UUID, project_id: UUID) -> list[TaskView] | None:
        """The project's tasks by number, or None when the owner has no such project."""

    @abc.abstractmethod
    async def get_task(self, owner_id: UUID, project_id: UUID, number: int) -> TaskView | None:
        """None when either the project or the task is missing; see ``project_exists``."""

    @abc.abstractmethod
    async def project_exists(self, owner_id: UUID, project_id: UUID) -> bool: ...
