"""The repository against the real database: aggregates round-trip with their task counts and
the task a change needs, never the whole list."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from projects.bootstrap import Container
from projects.domain.names import ProjectName, TaskName
from projects.domain.starter_project import starter_project

from .helpers import stored_project


async def test_a_project_with_its_tasks_round_trips(container: Container) -> None:
    now = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    project = starter_project(uuid4(), now=now)
    project.change_maximum_number_of_incomplete_tasks(5)
    uow = container.uow()
    async with uow as repository:
        repository.add(project)
        await uow.commit()

    uow = container.uow()

    async with uow as repository:
        loaded = await repository.get(project.id, task_number=1)

    assert loaded is not None
    assert loaded is not project
    assert (loaded.id, loaded.owner_id, loaded.name, loaded.version) == (
        project.id,
        project.owner_id,
        ProjectName("My first project"),
        2,
    )
    assert loaded.maximum_number_of_incomplete_tasks == 5
    assert (loaded.created_at, loaded.archived_at, loaded.deleted_at) == (
        project.created_at,
        None,
        None,
    )
    assert [(t.number, t.name, t.completed_at) for t in loaded.tasks_at_hand] == [
        (1, TaskName("Sign up!"), now)
    ]
    assert (loaded.number_of_tasks, loaded.number_of_incomplete_tasks) == (3, 2)
    assert loaded.next_task_number == 4
    assert loaded.events == []


async def test_changes_to_a_loaded_project_and_its_tasks_are_saved(container: Container) -> None:
    project = await stored_project(container, uuid4(), tasks=2)

    uow = container.uow()

    async with uow as repository:
        loaded = await repository.get(project.id, task_number=1)
        assert loaded is not None
        loaded.complete_task(1)
        loaded.add_task(TaskName("Third task"))
        loaded.rename(ProjectName("Renamed garden"))
        await uow.commit()

    uow = container.uow()

    async with uow as repository:
        again = await repository.get(project.id, task_number=1)
    uow = container.uow()
    async with uow as repository:
        third = await repository.get(project.id, task_number=3)
    assert again is not None
    assert third is not None
    assert again.name.value == "Renamed garden"
    assert [(t.number, t.is_completed) for t in again.tasks_at_hand] == [(1, True)]
    assert [(t.number, t.name.value, t.is_completed) for t in third.tasks_at_hand] == [
        (3, "Third task", False)
    ]
    assert (again.number_of_tasks, again.number_of_incomplete_tasks) == (3, 2)
    assert (again.next_task_number, again.version) == (4, project.version + 3)


async def test_a_project_is_loaded_without_its_tasks_unless_one_is_asked_for(
    container: Container,
) -> None:
    project = await stored_project(container, uuid4(), tasks=3)

    uow = container.uow()

    async with uow as repository:
        bare = await repository.get(project.id)
        assert bare is not None
        assert await repository.get(project.id) is bare  # again: the same, as it stands
        with pytest.raises(RuntimeError, match="load it once"):
            await repository.get(project.id, task_number=2)
    uow = container.uow()
    async with uow as repository:
        missing = await repository.get(project.id, task_number=99)

    assert missing is not None
    assert (bare.tasks_at_hand, missing.tasks_at_hand) == ((), ())
    assert (bare.number_of_tasks, bare.number_of_incomplete_tasks) == (3, 3)


async def test_a_deleted_project_is_not_loaded(container: Container) -> None:
    project = await stored_project(container, uuid4())
    uow = container.uow()
    async with uow as repository:
        loaded = await repository.get(project.id)
        assert loaded is not None
        loaded.archive()
        loaded.delete()
        await uow.commit()

    uow = container.uow()

    async with uow as repository:
        assert await repository.get(project.id) is None
        assert await repository.get(uuid4()) is None


async def test_leaving_without_commit_saves_nothing(container: Container) -> None:
    project = await stored_project(container, uuid4())
    uow = container.uow()
    async with uow as repository:
        loaded = await repository.get(project.id)
        assert loaded is not None
        loaded.add_task(TaskName("Never saved"))

    uow = container.uow()

    async with uow as repository:
        again = await repository.get(project.id)
    assert again is not None
    assert (again.tasks_at_hand, again.version) == ((), 1)
