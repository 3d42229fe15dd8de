"""Project command handlers with in-memory fakes."""

from uuid import uuid4

import pytest

from projects.application.commands import (
    ArchiveProject,
    CreateProject,
    CreateStarterProject,
    DeleteProject,
    UnarchiveProject,
    UpdateProject,
)
from projects.application.project_handlers import (
    archive_project,
    create_project,
    create_starter_project,
    delete_project,
    unarchive_project,
    update_project,
)
from projects.domain.errors import (
    InvalidMaximumNumberOfIncompleteTasksError,
    InvalidProjectNameError,
    ProjectHasIncompleteTasksError,
    ProjectNotArchivedError,
    ProjectNotFoundError,
)
from projects.domain.events import (
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)

from .builders import a_project
from .fakes import FakeUnitOfWork


async def test_create_project_stores_it_for_its_owner_and_commits_the_event() -> None:
    uow = FakeUnitOfWork()
    owner = uuid4()

    project = await create_project(CreateProject(owner, " Garden ", 3), uow)

    assert uow.projects.projects[project.id] is project
    assert (project.owner_id, project.name.value) == (owner, "Garden")
    assert project.maximum_number_of_incomplete_tasks == 3
    assert uow.committed == 1
    assert [type(e) for e in uow.published] == [ProjectCreated]
    assert project.events == []  # handed over to the unit of work


@pytest.mark.parametrize(
    ("name", "limit", "error"),
    [
        ("abc", None, InvalidProjectNameError),
        ("x" * 33, None, InvalidProjectNameError),
        ("Garden", 0, InvalidMaximumNumberOfIncompleteTasksError),
    ],
)
async def test_create_project_refuses_bad_input_before_storing(
    name: str, limit: int | None, error: type[Exception]
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(error):
        await create_project(CreateProject(uuid4(), name, limit), uow)
    assert (uow.projects.projects, uow.committed) == ({}, 0)


async def test_create_starter_project_stores_my_first_project() -> None:
    uow = FakeUnitOfWork()
    owner = uuid4()

    project = await create_starter_project(CreateStarterProject(owner), uow)

    assert project is not None
    assert uow.projects.projects[project.id].name.value == "My first project"
    assert len(project.tasks_at_hand) == 3
    assert [type(e) for e in uow.published] == [ProjectCreated]


async def test_a_user_gets_one_starter_project_however_often_it_is_asked_for() -> None:
    uow = FakeUnitOfWork()
    owner = uuid4()
    first = await create_starter_project(CreateStarterProject(owner), uow)
    assert first is not None

    again = await create_starter_project(CreateStarterProject(owner), uow)

    assert again is None
    assert list(uow.projects.projects) == [first.id]
    assert [type(e) for e in uow.published] == [ProjectCreated]


async def test_a_deleted_starter_project_is_not_created_again() -> None:
    owner = uuid4()
    uow = FakeUnitOfWork()
    first = await create_starter_project(CreateStarterProject(owner), uow)
    assert first is not None
    for task in first.tasks_at_hand:
        first.complete_task(task.number)
    first.archive()
    first.delete()

    assert await create_starter_project(CreateStarterProject(owner), uow) is None


async def test_update_project_renames_and_changes_the_limit() -> None:
    project = a_project(name="Garden", limit=None)
    uow = FakeUnitOfWork([project])

    await update_project(UpdateProject(project.owner_id, project.id, "Big garden", 4), uow)

    assert (project.name.value, project.maximum_number_of_incomplete_tasks) == ("Big garden", 4)
    assert [type(e) for e in uow.published] == [ProjectRenamed]
    assert uow.committed == 1


async def test_update_project_without_a_limit_keeps_the_current_one() -> None:
    project = a_project(limit=7)
    uow = FakeUnitOfWork([project])

    await update_project(UpdateProject(project.owner_id, project.id, "Renamed"), uow)

    assert project.maximum_number_of_incomplete_tasks == 7


async def test_update_project_with_a_null_limit_removes_it() -> None:
    project = a_project(limit=7)
    uow = FakeUnitOfWork([project])

    await update_project(UpdateProject(project.owner_id, project.id, "Garden", None), uow)

    assert project.maximum_number_of_incomplete_tasks is None
    assert uow.published == []  # the name did not change: no ProjectRenamed


async def test_update_project_with_a_bad_name_changes_nothing() -> None:
    project = a_project(name="Garden", limit=7)
    uow = FakeUnitOfWork([project])

    with pytest.raises(InvalidProjectNameError):
        await update_project(UpdateProject(project.owner_id, project.id, "no", 1), uow)
    assert (project.name.value, project.maximum_number_of_incomplete_tasks) == ("Garden", 7)
    assert uow.committed == 0


async def test_archive_then_unarchive_commit_their_events() -> None:
    project = a_project(done_tasks=2)
    uow = FakeUnitOfWork([project])

    await archive_project(ArchiveProject(project.owner_id, project.id), uow)
    assert project.archived
    await unarchive_project(UnarchiveProject(project.owner_id, project.id), uow)
    assert not project.archived

    assert [type(e) for e in uow.published] == [ProjectArchived, ProjectUnarchived]


async def test_archive_with_incomplete_tasks_is_refused() -> None:
    project = a_project(open_tasks=1)
    uow = FakeUnitOfWork([project])

    with pytest.raises(ProjectHasIncompleteTasksError):
        await archive_project(ArchiveProject(project.owner_id, project.id), uow)
    assert uow.committed == 0


async def test_delete_project_needs_it_archived_and_then_it_is_gone() -> None:
    project = a_project()
    uow = FakeUnitOfWork([project])

    with pytest.raises(ProjectNotArchivedError):
        await delete_project(DeleteProject(project.owner_id, project.id), uow)

    await archive_project(ArchiveProject(project.owner_id, project.id), uow)
    await delete_project(DeleteProject(project.owner_id, project.id), uow)

    assert project.deleted
    assert [type(e) for e in uow.published] == [ProjectArchived, ProjectDeleted]
    with pytest.raises(ProjectNotFoundError):
        await delete_project(DeleteProject(project.owner_id, project.id), uow)
    with pytest.raises(ProjectNotFoundError):
        await unarchive_project(UnarchiveProject(project.owner_id, project.id), uow)


async def test_another_users_project_is_not_found_for_every_project_command() -> None:
    project = a_project(done_tasks=1)
    uow = FakeUnitOfWork([project])
    stranger = uuid4()
    commands = [
        update_project(UpdateProject(stranger, project.id, "Stolen name"), uow),
        archive_project(ArchiveProject(stranger, project.id), uow),
        unarchive_project(UnarchiveProject(stranger, project.id), uow),
        delete_project(DeleteProject(stranger, project.id), uow),
    ]
    for command in commands:
        with pytest.raises(ProjectNotFoundError):
            await command

    assert (project.name.value, project.archived, uow.committed) == ("Garden", False, 0)


async def test_a_missing_project_is_not_found() -> None:
    with pytest.raises(ProjectNotFoundError):
        await archive_project(ArchiveProject(uuid4(), uuid4()), FakeUnitOfWork())
