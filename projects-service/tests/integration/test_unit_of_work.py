"""The unit of work: a change and its outbox row commit together or not at all."""

import dataclasses

import pytest
from sqlalchemy import text

from chassis import OutboxUnitOfWork, correlation_id
from projects.application.commands import (
    ArchiveProject,
    CreateProject,
    CreateStarterProject,
    DeleteProject,
)
from projects.application.project_handlers import (
    archive_project,
    create_project,
    create_starter_project,
    delete_project,
)
from projects.bootstrap import Container
from projects.domain.errors import ConcurrentUpdateError
from projects.domain.names import TaskName
from projects.infrastructure.persistence import unit_of_work as uow_module
from projects.infrastructure.persistence.tables import outbox, projects, tasks

from .conftest import User
from .helpers import count, rows, stored_project


def broken_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the outbox row fails (after the project's rows are flushed)."""

    def contract(*args: object) -> object:
        raise RuntimeError("outbox write failed")

    broken = dataclasses.replace(uow_module.PROJECT_EVENTS, contract=contract)
    monkeypatch.setattr(uow_module, "PROJECT_EVENTS", broken)


async def test_creating_writes_the_project_and_its_outbox_row_together(
    container: Container, alice: User
) -> None:
    token = correlation_id.set("req-42")
    try:
        project = await create_project(CreateProject(alice.id, "Garden", 3), container.uow())
    finally:
        correlation_id.reset(token)

    [row] = await rows(container, outbox)
    assert row.message_type == "ProjectCreated"
    assert row.exchange == "projects.events"
    assert row.routing_key == "project.created.v1"
    assert (row.aggregate_id, row.aggregate_version) == (project.id, 1)
    assert row.correlation_id == "req-42"
    assert row.body["message_id"] == str(row.message_id)
    assert row.body["producer"] == "projects-service"
    assert row.body["payload"] == {
        "project_id": str(project.id),
        "owner_id": str(alice.id),
        "name": "Garden",
        "maximum_number_of_incomplete_tasks": 3,
    }


async def test_each_state_change_adds_its_event_with_the_aggregate_version(
    container: Container, alice: User
) -> None:
    project = await create_project(CreateProject(alice.id, "Garden"), container.uow())
    await archive_project(ArchiveProject(alice.id, project.id), container.uow())
    await delete_project(DeleteProject(alice.id, project.id), container.uow())

    found = sorted((r.aggregate_version, r.message_type) for r in await rows(container, outbox))
    assert found == [(1, "ProjectCreated"), (2, "ProjectArchived"), (3, "ProjectDeleted")]


async def test_a_failure_writing_the_outbox_leaves_neither_project_nor_event(
    container: Container, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_contract(monkeypatch)
    with pytest.raises(RuntimeError, match="outbox write failed"):
        await create_project(CreateProject(alice.id, "Garden"), container.uow())

    assert await count(container, projects) == 0
    assert await count(container, outbox) == 0


async def test_a_failed_archive_leaves_the_project_and_outbox_untouched(
    container: Container, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = await stored_project(container, alice.id)

    broken_contract(monkeypatch)
    with pytest.raises(RuntimeError):
        await archive_project(ArchiveProject(alice.id, project.id), container.uow())

    [stored] = await rows(container, projects)
    assert (stored.archived_at, stored.version) == (None, 1)
    assert [r.message_type for r in await rows(container, outbox)] == ["ProjectCreated"]


async def test_a_stale_version_is_refused_rather_than_overwritten(
    container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id)

    uow = container.uow()
    async with uow as repository:
        assert isinstance(uow, OutboxUnitOfWork)
        loaded = await repository.get(project.id)
        assert loaded is not None
        loaded.add_task(TaskName("Lost update"))
        # Someone bumped the version after we loaded (possible for any writer not taking the
        # row lock); the version check in UPDATE ... WHERE must catch it.
        with uow.session.no_autoflush:
            await uow.session.execute(
                text("UPDATE projects.projects SET version = version + 1 WHERE id = :id"),
                {"id": project.id},
            )
        with pytest.raises(ConcurrentUpdateError):
            await uow.commit()

    assert await count(container, tasks) == 0


async def test_a_colliding_task_number_is_a_concurrent_update(
    container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id)

    uow = container.uow()
    async with uow as repository:
        assert isinstance(uow, OutboxUnitOfWork)
        loaded = await repository.get(project.id)
        assert loaded is not None
        loaded.add_task(TaskName("Mine is number 1"))
        # A row with number 1 appears before our flush (as if a writer had bypassed the lock).
        with uow.session.no_autoflush:
            await uow.session.execute(
                text(
                    "INSERT INTO projects.tasks (project_id, number, name) "
                    "VALUES (:id, 1, 'Theirs is number 1')"
                ),
                {"id": project.id},
            )
        with pytest.raises(ConcurrentUpdateError):
            await uow.commit()

    # Everything of that transaction was rolled back, the project included.
    assert await count(container, tasks) == 0
    [stored] = await rows(container, projects)
    assert (stored.version, stored.next_task_number) == (1, 1)


async def test_a_second_starter_project_for_one_user_changes_nothing(
    container: Container, alice: User
) -> None:
    first = await create_starter_project(CreateStarterProject(alice.id), container.uow())
    again = await create_starter_project(CreateStarterProject(alice.id), container.uow())

    assert first is not None
    assert again is None
    assert [row.id for row in await rows(container, projects)] == [first.id]
    assert await count(container, tasks) == 3
    assert [r.message_type for r in await rows(container, outbox)] == ["ProjectCreated"]
