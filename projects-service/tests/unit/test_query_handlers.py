"""Query handlers over a fake read model: owner isolation, deletion, 404s, paging."""

from datetime import timedelta
from uuid import uuid4

import pytest

from projects.application.ports import ProjectView
from projects.application.queries import GetProject, GetTask, ListProjects, ListTasks
from projects.application.query_handlers import get_project, get_task, list_projects, list_tasks
from projects.domain.errors import ProjectNotFoundError, TaskNotFoundError

from .builders import T0, a_project
from .fakes import FakeProjectReadModel


async def test_list_projects_pages_through_the_owners_live_projects() -> None:
    owner = uuid4()
    mine = [a_project(owner_id=owner, name=f"Project {n}") for n in range(5)]
    for n, project in enumerate(mine):
        project.created_at = T0 + timedelta(minutes=n)
    deleted = a_project(owner_id=owner, archived=True)
    deleted.delete()
    read_model = FakeProjectReadModel([*mine, deleted, a_project(name="Someone else")])

    page = await list_projects(ListProjects(owner, limit=2, offset=2), read_model)

    assert [view.name for view in page.projects] == ["Project 2", "Project 3"]
    assert (page.total, page.limit, page.offset) == (5, 2, 2)


async def test_get_project_shows_the_task_counts() -> None:
    project = a_project(open_tasks=2, done_tasks=3, limit=4)

    view = await get_project(
        GetProject(project.owner_id, project.id), FakeProjectReadModel([project])
    )

    assert view == ProjectView(
        id=project.id,
        name="Garden",
        maximum_number_of_incomplete_tasks=4,
        archived_at=None,
        number_of_tasks=5,
        number_of_completed_tasks=3,
    )
    assert (view.archived, view.number_of_incomplete_tasks) == (False, 2)


async def test_get_project_of_another_owner_or_deleted_is_not_found() -> None:
    project = a_project(archived=True)
    read_model = FakeProjectReadModel([project])
    with pytest.raises(ProjectNotFoundError):
        await get_project(GetProject(uuid4(), project.id), read_model)
    project.delete()
    with pytest.raises(ProjectNotFoundError):
        await get_project(GetProject(project.owner_id, project.id), read_model)


async def test_list_and_get_tasks() -> None:
    project = a_project(done_tasks=1, open_tasks=1)
    read_model = FakeProjectReadModel([project])

    tasks = await list_tasks(ListTasks(project.owner_id, project.id), read_model)
    task = await get_task(GetTask(project.owner_id, project.id, 2), read_model)

    assert [(t.number, t.completed_at is not None) for t in tasks] == [(1, True), (2, False)]
    assert (task.number, task.name) == (2, "Open task 1")


async def test_tasks_of_a_missing_or_foreign_project_answer_project_not_found() -> None:
    project = a_project(open_tasks=1)
    read_model = FakeProjectReadModel([project])
    with pytest.raises(ProjectNotFoundError):
        await list_tasks(ListTasks(uuid4(), project.id), read_model)
    with pytest.raises(ProjectNotFoundError):
        await get_task(GetTask(uuid4(), project.id, 1), read_model)


async def test_a_missing_task_of_an_own_project_is_task_not_found() -> None:
    project = a_project(open_tasks=1)
    with pytest.raises(TaskNotFoundError):
        await get_task(GetTask(project.owner_id, project.id, 2), FakeProjectReadModel([project]))
