"""Small helpers shared by the integration tests."""

from typing import Any
from uuid import UUID

from sqlalchemy import Table, func, select

from projects.bootstrap import Container
from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project


async def count(container: Container, table: Table) -> int:
    async with container.platform.engine.connect() as connection:
        result = await connection.execute(select(func.count()).select_from(table))
        return int(result.scalar_one())


async def rows(container: Container, table: Table) -> list[Any]:
    async with container.platform.engine.connect() as connection:
        return list(await connection.execute(select(table)))


async def stored_project(
    container: Container,
    owner_id: UUID,
    *,
    name: str = "Garden",
    limit: int | None = None,
    tasks: int = 0,
) -> Project:
    """A project committed through the real unit of work, with ``tasks`` open tasks."""
    project = Project.create(
        owner_id=owner_id, name=ProjectName(name), maximum_number_of_incomplete_tasks=limit
    )
    for n in range(tasks):
        project.add_task(TaskName(f"Task number {n + 1}"))
    uow = container.uow()
    async with uow as repository:
        repository.add(project)
        await uow.commit()
    return project


PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and problem type)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    if slug is not None:
        assert body["type"] == f"urn:taskboard:problem:{slug}", body
    return body
