"""The Project aggregate: a user's project and its numbered tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from projects.domain import ensure
from projects.domain.errors import TaskNotFoundError
from projects.domain.events import (
    DomainEvent,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)
from projects.domain.names import ProjectName, TaskName
from projects.domain.task import Task


def utc_now() -> datetime:
    return datetime.now(UTC)


class Project:
    """Owns its tasks; every change goes through here and bumps ``version`` by one.

    ``events`` holds what happened since the aggregate was loaded; the unit of work turns them
    into outbox rows in the same transaction.

    The rules need only counts of the tasks, never the whole list, so a stored project is loaded
    with its counts and just the task a change is about (see ``restore_task_counts``): adding a
    task to a project of thousands costs what adding the first one did.
    """

    def __init__(
        self,
        *,
        id: UUID,
        owner_id: UUID,
        name: ProjectName,
        maximum_number_of_incomplete_tasks: int | None = None,
        archived_at: datetime | None = None,
        deleted_at: datetime | None = None,
        version: int = 1,
        created_at: datetime,
        tasks: list[Task] | None = None,
        next_task_number: int = 1,
    ) -> None:
        ensure.maximum_number_of_incomplete_tasks_is_valid(maximum_number_of_incomplete_tasks)
        self.id = id
        self.owner_id = owner_id
        self.name = name
        self.maximum_number_of_incomplete_tasks = maximum_number_of_incomplete_tasks
        self.archived_at = archived_at
        self.deleted_at = deleted_at
        self.version = version
        self.created_at = created_at
        self._tasks = list(tasks or [])
        self.next_task_number = max(next_task_number, *(t.number + 1 for t in self._tasks), 1)
        self.restore_task_counts(
            total=len(self._tasks),
            incomplete=sum(1 for task in self._tasks if not task.is_completed),
        )
        self.events: list[DomainEvent] = []

    def restore_task_counts(self, *, total: int, incomplete: int) -> None:
        """How many tasks the project has, and how many are open: set from the given tasks when
        built here, and by the repository when it loads the project with only some of them."""
        self._number_of_tasks = total
        self._number_of_incomplete_tasks = incomplete

    # -- creation -----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        owner_id: UUID,
        name: ProjectName,
        maximum_number_of_incomplete_tasks: int | None = None,
        tasks: Sequence[Task] = (),
        now: datetime | None = None,
        id: UUID | None = None,
    ) -> Project:
        """A new project at version 1; ``tasks`` (numbered 1, 2, 3…) come with it in one change.

        The id is random unless the caller derives one (see ``starter_project_id``)."""
        now = now or utc_now()
        project = cls(
            id=id or uuid4(),
            owner_id=owner_id,
            name=name,
            maximum_number_of_incomplete_tasks=maximum_number_of_incomplete_tasks,
            version=1,
            created_at=now,
            tasks=list(tasks),
        )
        ensure.tasks_are_numbered_from_one(project)
        ensure.incomplete_tasks_are_within_the_limit(project)
        project.events.append(
            ProjectCreated(
                **project._event_fields(now),
                name=name.value,
                maximum_number_of_incomplete_tasks=maximum_number_of_incomplete_tasks,
            )
        )
        return project

    # -- reading ------------------------------------------------------------------------------

    @property
    def tasks_at_hand(self) -> tuple[Task, ...]:
        """The tasks this object holds — not necessarily all of the project's: all of them on a
        project built here, but on a loaded project only the ones the repository was asked for
        (a project can have thousands). Counts are ``number_of_tasks`` and friends."""
        return tuple(self._tasks)

    @property
    def number_of_tasks(self) -> int:
        return self._number_of_tasks

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def number_of_incomplete_tasks(self) -> int:
        return self._number_of_incomplete_tasks

    @property
    def number_of_completed_tasks(self) -> int:
        return self._number_of_tasks - self._number_of_incomplete_tasks

    def task(self, number: int) -> Task:
        for task in self._tasks:
            if task.number == number:
                return task
        raise TaskNotFoundError(f"Task {number} was not found in project {self.id}.")

    # -- changing the project -----------------------------------------------------------------

    def rename(self, name: ProjectName, *, now: datetime | None = None) -> None:
        ensure.project_is_not_deleted(self)
        if name == self.name:
            return
        self.name = name
        self._changed()
        self.events.append(ProjectRenamed(**self._event_fields(now or utc_now()), name=name.value))

    def change_maximum_number_of_incomplete_tasks(self, limit: int | None) -> None:
        """A lower limit than today's incomplete count is accepted: it only blocks new ones."""
        ensure.project_is_not_deleted(self)
        ensure.maximum_number_of_incomplete_tasks_is_valid(limit)
        if limit == self.maximum_number_of_incomplete_tasks:
            return
        self.maximum_number_of_incomplete_tasks = limit
        self._changed()

    def archive(self, *, now: datetime | None = None) -> None:
        ensure.project_is_not_deleted(self)
        if self.archived:
            return
        ensure.all_project_tasks_are_completed(self)
        now = now or utc_now()
        self.archived_at = now
        self._changed()
        self.events.append(ProjectArchived(**self._event_fields(now)))

    def unarchive(self, *, now: datetime | None = None) -> None:
        ensure.project_is_not_deleted(self)
        if not self.archived:
            return
        self.archived_at = None
        self._changed()
        self.events.append(ProjectUnarchived(**self._event_fields(now or utc_now())))

    def delete(self, *, now: datetime | None = None) -> None:
        ensure.project_is_not_deleted(self)
        ensure.project_is_archived(self)
        now = now or utc_now()
        self.deleted_at = now
        self._changed()
        self.events.append(ProjectDeleted(**self._event_fields(now)))

    # -- changing tasks -----------------------------------------------------------------------

    def add_task(self, name: TaskName) -> Task:
        ensure.project_is_not_deleted(self)
        ensure.project_is_not_archived(self)
        ensure.project_has_room_for_another_incomplete_task(self)
        task = Task(number=self.next_task_number, name=name)
        self._tasks.append(task)
        self.next_task_number += 1  # numbers are never reused
        self._number_of_tasks += 1
        self._number_of_incomplete_tasks += 1
        self._changed()
        return task

    def complete_task(self, number: int, *, now: datetime | None = None) -> Task:
        ensure.project_is_not_deleted(self)
        task = self.task(number)
        ensure.project_is_not_archived(self)
        if task.complete(now or utc_now()):
            self._number_of_incomplete_tasks -= 1
            self._changed()
        return task

    def incomplete_task(self, number: int) -> Task:
        ensure.project_is_not_deleted(self)
        task = self.task(number)
        ensure.project_is_not_archived(self)
        if task.is_completed:
            ensure.project_has_room_for_another_incomplete_task(self)
            task.incomplete()
            self._number_of_incomplete_tasks += 1
            self._changed()
        return task

    # -- internals ----------------------------------------------------------------------------

    def _changed(self) -> None:
        self.version += 1

    def _event_fields(self, now: datetime) -> dict[str, Any]:
        return {
            "project_id": self.id,
            "owner_id": self.owner_id,
            "project_version": self.version,
            "occurred_at": now,
        }

    def __repr__(self) -> str:
        return f"Project(id={self.id}, name={self.name.value!r}, version={self.version})"
