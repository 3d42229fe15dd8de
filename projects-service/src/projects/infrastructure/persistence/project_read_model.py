"""Read side: project and task views answered with plain SQL, no aggregate loaded."""

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from projects.application.ports import ProjectPage, ProjectReadModel, ProjectView, TaskView
from projects.infrastructure.persistence.tables import projects, tasks

TASK_COLUMNS = (tasks.c.number, tasks.c.name, tasks.c.completed_at)


class SqlProjectReadModel(ProjectReadModel):
    """Every query is filtered by owner and ``deleted_at IS NULL`` (index ix_projects_owner_live
    for lists, the primary keys for the rest)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list_projects(self, owner_id: UUID, *, limit: int, offset: int) -> ProjectPage:
        page = (
            select(projects.c.id)
            .where(*_owned_live(owner_id))
            .order_by(projects.c.created_at, projects.c.id)
            .limit(limit)
            .offset(offset)
        )
        views = _project_views().where(projects.c.id.in_(page))
        total = select(func.count()).select_from(projects).where(*_owned_live(owner_id))
        async with self._engine.connect() as connection:
            rows = await connection.execute(views.order_by(projects.c.created_at, projects.c.id))
            found = [_project_view(row) for row in rows.mappings()]
            count = (await connection.execute(total)).scalar_one()
        return ProjectPage(projects=found, total=count, limit=limit, offset=offset)

    async def get_project(self, owner_id: UUID, project_id: UUID) -> ProjectView | None:
        query = _project_views().where(projects.c.id == project_id, *_owned_live(owner_id))
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else _project_view(row)

    async def list_tasks(self, owner_id: UUID, project_id: UUID) -> list[TaskView] | None:
        # One round trip: the outer join yields one all-NULL task row for a project without
        # tasks, and no row at all when the caller owns no such live project.
        query = (
            select(*TASK_COLUMNS)
            .select_from(projects.outerjoin(tasks, tasks.c.project_id == projects.c.id))
            .where(projects.c.id == project_id, *_owned_live(owner_id))
            .order_by(tasks.c.number)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        if not rows:
            return None
        return [_task_view(row) for row in rows if row["number"] is not None]

    async def get_task(self, owner_id: UUID, project_id: UUID, number: int) -> TaskView | None:
        query = (
            select(*TASK_COLUMNS)
            .join(projects, projects.c.id == tasks.c.project_id)
            .where(tasks.c.project_id == project_id, tasks.c.number == number)
            .where(*_owned_live(owner_id))
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else _task_view(row)

    async def project_exists(self, owner_id: UUID, project_id: UUID) -> bool:
        async with self._engine.connect() as connection:
            return await _exists(connection, owner_id, project_id)


def _owned_live(owner_id: UUID) -> tuple[ColumnElement[bool], ...]:
    return (projects.c.owner_id == owner_id, projects.c.deleted_at.is_(None))


async def _exists(connection: AsyncConnection, owner_id: UUID, project_id: UUID) -> bool:
    query = select(projects.c.id).where(projects.c.id == project_id, *_owned_live(owner_id))
    return (await connection.execute(query)).one_or_none() is not None


def _project_views() -> Select[Any]:
    # count(column) skips NULLs: the outer join's missing task, and open tasks' completed_at.
    return (
        select(
            projects.c.id,
            projects.c.name,
            projects.c.maximum_number_of_incomplete_tasks,
            projects.c.archived_at,
            func.count(tasks.c.number).label("number_of_tasks"),
            func.count(tasks.c.completed_at).label("number_of_completed_tasks"),
        )
        .select_from(projects.outerjoin(tasks, tasks.c.project_id == projects.c.id))
        .group_by(projects.c.id)
    )


def _project_view(row: RowMapping) -> ProjectView:
    return ProjectView(
        id=row["id"],
        name=row["name"],
        maximum_number_of_incomplete_tasks=row["maximum_number_of_incomplete_tasks"],
        archived_at=row["archived_at"],
        number_of_tasks=row["number_of_tasks"],
        number_of_completed_tasks=row["number_of_completed_tasks"],
    )


def _task_view(row: RowMapping) -> TaskView:
    return TaskView(number=row["number"], name=row["name"], completed_at=row["completed_at"])
