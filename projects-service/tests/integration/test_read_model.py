"""The read side on the real database: owner isolation, deletion, paging, counts."""

from uuid import uuid4

import asyncpg

from chassis.persistence.database import driver_free_url
from projects.application.ports import TaskView
from projects.bootstrap import Container
from projects.domain.names import ProjectName

from .helpers import stored_project


async def test_the_project_list_pages_the_owners_live_projects_oldest_first(
    container: Container,
) -> None:
    owner = uuid4()
    mine = [await stored_project(container, owner, name=f"Project {n}") for n in range(5)]
    await stored_project(container, uuid4(), name="Not mine")
    uow = container.uow()
    async with uow as repository:
        gone = await repository.get(mine[1].id)
        assert gone is not None
        gone.archive()
        gone.delete()
        await uow.commit()

    page = await container.read_model.list_projects(owner, limit=2, offset=1)

    assert [view.name for view in page.projects] == ["Project 2", "Project 3"]
    assert (page.total, page.limit, page.offset) == (4, 2, 1)
    beyond = await container.read_model.list_projects(owner, limit=2, offset=10)
    assert (beyond.projects, beyond.total) == ([], 4)


async def test_project_views_count_tasks(container: Container) -> None:
    owner = uuid4()
    project = await stored_project(container, owner, limit=9, tasks=4)
    empty = await stored_project(container, owner, name="Empty one")
    for number in (2, 4):
        uow = container.uow()
        async with uow as repository:
            loaded = await repository.get(project.id, task_number=number)
            assert loaded is not None
            loaded.complete_task(number)
            loaded.rename(ProjectName("Counted"))
            await uow.commit()

    view = await container.read_model.get_project(owner, project.id)
    empty_view = await container.read_model.get_project(owner, empty.id)

    assert view is not None
    assert (view.name, view.maximum_number_of_incomplete_tasks, view.archived_at) == (
        "Counted",
        9,
        None,
    )
    assert (view.number_of_tasks, view.number_of_completed_tasks) == (4, 2)
    assert empty_view is not None
    assert (empty_view.number_of_tasks, empty_view.number_of_completed_tasks) == (0, 0)
    page = await container.read_model.list_projects(owner, limit=10, offset=0)
    assert [(v.name, v.number_of_tasks) for v in page.projects] == [
        ("Counted", 4),
        ("Empty one", 0),
    ]


async def test_views_of_another_owners_project_are_absent(container: Container) -> None:
    owner, stranger = uuid4(), uuid4()
    project = await stored_project(container, owner, tasks=1)

    read = container.read_model
    assert await read.get_project(stranger, project.id) is None
    assert await read.list_tasks(stranger, project.id) is None
    assert await read.get_task(stranger, project.id, 1) is None
    assert not await read.project_exists(stranger, project.id)
    assert await read.project_exists(owner, project.id)


async def test_tasks_are_listed_by_number(container: Container) -> None:
    owner = uuid4()
    project = await stored_project(container, owner, tasks=3)

    listed = await container.read_model.list_tasks(owner, project.id)
    one = await container.read_model.get_task(owner, project.id, 2)

    assert listed == [
        TaskView(number=1, name="Task number 1", completed_at=None),
        TaskView(number=2, name="Task number 2", completed_at=None),
        TaskView(number=3, name="Task number 3", completed_at=None),
    ]
    assert one == listed[1]
    assert await container.read_model.get_task(owner, project.id, 4) is None


async def test_reads_survive_the_server_closing_their_connections(
    container: Container, database_url: str
) -> None:
    # What a PostgreSQL restart does to every pooled connection. The read pool has no pre-ping:
    # the read right after must still answer, whether or not asyncpg has seen the close yet.
    owner = uuid4()
    project = await stored_project(container, owner, tasks=2)
    assert await container.read_model.list_tasks(owner, project.id) is not None
    admin = await asyncpg.connect(driver_free_url(database_url))
    try:
        terminated = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = 'projects-service-read'"
        )
        assert terminated >= 1
    finally:
        await admin.close()

    tasks = await container.read_model.list_tasks(owner, project.id)  # no error reaches the caller

    assert tasks is not None
    assert [task.number for task in tasks] == [1, 2]
