"""Invariant checks of the Project aggregate, one small function per rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projects.domain.errors import (
    InvalidMaximumNumberOfIncompleteTasksError,
    MaxIncompleteTasksNumberIsReachedError,
    ProjectArchivedError,
    ProjectHasIncompleteTasksError,
    ProjectNotArchivedError,
    ProjectNotFoundError,
)

if TYPE_CHECKING:
    from projects.domain.project import Project


def maximum_number_of_incomplete_tasks_is_valid(limit: object) -> None:
    # bool is an int in Python; True must not pass as a limit of 1.
    if limit is None:
        return
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise InvalidMaximumNumberOfIncompleteTasksError(
            "maximum_number_of_incomplete_tasks must be a whole number of at least 1, or null."
        )


def project_has_room_for_another_incomplete_task(project: Project) -> None:
    limit = project.maximum_number_of_incomplete_tasks
    if limit is not None and project.number_of_incomplete_tasks >= limit:
        raise MaxIncompleteTasksNumberIsReachedError(
            f"The project allows at most {limit} incomplete tasks."
        )


def incomplete_tasks_are_within_the_limit(project: Project) -> None:
    limit = project.maximum_number_of_incomplete_tasks
    if limit is not None and project.number_of_incomplete_tasks > limit:
        raise MaxIncompleteTasksNumberIsReachedError(
            f"The project allows at most {limit} incomplete tasks."
        )


def tasks_are_numbered_from_one(project: Project) -> None:
    numbers = [task.number for task in project.tasks_at_hand]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"Tasks of a new project are numbered 1, 2, 3…; got {numbers}.")


def all_project_tasks_are_completed(project: Project) -> None:
    if count := project.number_of_incomplete_tasks:
        raise ProjectHasIncompleteTasksError(
            f"The project has {count} incomplete tasks; complete them before archiving."
        )


def project_is_archived(project: Project) -> None:
    if not project.archived:
        raise ProjectNotArchivedError("Only an archived project can be deleted; archive it first.")


def project_is_not_archived(project: Project) -> None:
    if project.archived:
        raise ProjectArchivedError(
            "The project is archived; its tasks cannot change until it is unarchived."
        )


def project_is_not_deleted(project: Project) -> None:
    # A deleted project no longer exists for anyone: the same answer as a missing one.
    if project.deleted:
        raise ProjectNotFoundError(f"Project {project.id} was not found.")
