"""Task command handlers with in-memory fakes."""

from uuid import uuid4

import pytest

from projects.application.commands import CompleteTask, CreateTask, IncompleteTask
from projects.application.task_handlers import complete_task, create_task, incomplete_task
from projects.domain.errors import (
    InvalidTaskNameError,
    MaxIncompleteTasksNumberIsReachedError,
    ProjectArchivedError,
    ProjectNotFoundError,
    TaskNotFoundError,
)

from .builders import a_project
from .fakes import FakeUnitOfWork


async def test_create_task_adds_the_next_number_and_commits() -> None:
    project = a_project(open_tasks=2)
    uow = FakeUnitOfWork([project])

    task = await create_task(CreateTask(project.owner_id, project.id, "Water plants"), uow)

    assert (task.number, task.name.value, task.completed_at) == (3, "Water plants", None)
    assert project.tasks_at_hand[-1] is task
    assert uow.committed == 1
    assert uow.published == []  # task changes have no integration event


async def test_create_task_refuses_a_bad_name() -> None:
    project = a_project()
    uow = FakeUnitOfWork([project])
    with pytest.raises(InvalidTaskNameError):
        await create_task(CreateTask(project.owner_id, project.id, "no"), uow)
    assert (project.tasks_at_hand, uow.committed) == ((), 0)


async def test_create_task_at_the_limit_is_refused() -> None:
    project = a_project(limit=1, open_tasks=1)
    uow = FakeUnitOfWork([project])
    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        await create_task(CreateTask(project.owner_id, project.id, "Too many"), uow)
    assert uow.committed == 0


async def test_create_task_in_an_archived_project_is_refused() -> None:
    project = a_project(archived=True)
    uow = FakeUnitOfWork([project])
    with pytest.raises(ProjectArchivedError):
        await create_task(CreateTask(project.owner_id, project.id, "Too late"), uow)


async def test_complete_task_is_idempotent() -> None:
    project = a_project(open_tasks=1)
    uow = FakeUnitOfWork([project])
    command = CompleteTask(project.owner_id, project.id, 1)

    first = await complete_task(command, uow)
    completed_at = first.completed_at
    version = project.version
    second = await complete_task(command, uow)

    assert completed_at is not None
    assert second.completed_at == completed_at
    assert project.version == version


async def test_incomplete_task_reopens_it_within_the_limit() -> None:
    project = a_project(done_tasks=1, limit=1)
    uow = FakeUnitOfWork([project])

    task = await incomplete_task(IncompleteTask(project.owner_id, project.id, 1), uow)

    assert task.completed_at is None
    assert uow.committed == 1


async def test_incomplete_task_over_the_limit_is_refused() -> None:
    project = a_project(done_tasks=1, open_tasks=1, limit=1)
    uow = FakeUnitOfWork([project])
    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        await incomplete_task(IncompleteTask(project.owner_id, project.id, 1), uow)
    assert project.task(1).is_completed


async def test_an_unknown_task_is_not_found() -> None:
    project = a_project(open_tasks=1)
    uow = FakeUnitOfWork([project])
    with pytest.raises(TaskNotFoundError):
        await complete_task(CompleteTask(project.owner_id, project.id, 2), uow)
    with pytest.raises(TaskNotFoundError):
        await incomplete_task(IncompleteTask(project.owner_id, project.id, 2), uow)


async def test_another_users_project_is_not_found_for_every_task_command() -> None:
    project = a_project(open_tasks=1, done_tasks=1)
    uow = FakeUnitOfWork([project])
    stranger = uuid4()
    commands = [
        create_task(CreateTask(stranger, project.id, "Intruder task"), uow),
        complete_task(CompleteTask(stranger, project.id, 2), uow),
        incomplete_task(IncompleteTask(stranger, project.id, 1), uow),
    ]
    for command in commands:
        with pytest.raises(ProjectNotFoundError):
            await command
    assert [t.is_completed for t in project.tasks_at_hand] == [True, False]
    assert uow.committed == 0


async def test_tasks_of_a_deleted_project_are_not_found() -> None:
    project = a_project(archived=True)
    project.delete()
    uow = FakeUnitOfWork([project])
    with pytest.raises(ProjectNotFoundError):
        await create_task(CreateTask(project.owner_id, project.id, "Ghost task"), uow)
