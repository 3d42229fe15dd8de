"""Read side: project and task views answered with plain SQL, no aggregate loaded."""

from uuid import UUID

import asyncpg

from chassis import ReadPool
from projects.application.ports import ProjectPage, ProjectReadModel, ProjectView, TaskView
from projects.infrastructure.persistence.tables import projects, tasks

# Every query is filtered by owner and ``deleted_at IS
# NULL``: index ix_projects_owner_live for lists, the primary keys for the rest. count(column)
# skips NULLs: the outer join's missing task, and open tasks' completed_at.
# The page and the total in one statement, so one snapshot: two statements could count a
# project committed between them that the page does not show. The outer join keeps one row
# (all-NULL view) when the page is empty, to carry the total.
LIST_PROJECTS = f"""
WITH live AS (
    SELECT id, created_at FROM {projects.fullname} WHERE owner_id = $1 AND deleted_at IS NULL
), page AS (
    SELECT id, created_at FROM live ORDER BY created_at, id LIMIT $2 OFFSET $3
)
SELECT (SELECT count(*) FROM live) AS total,
       p.id, p.name, p.maximum_number_of_incomplete_tasks, p.archived_at,
       count(t.number) AS number_of_tasks, count(t.completed_at) AS number_of_completed_tasks
FROM (SELECT 1) AS one
LEFT JOIN page ON true
LEFT JOIN {projects.fullname} AS p ON p.id = page.id
LEFT JOIN {tasks.fullname} AS t ON t.project_id = p.id
GROUP BY p.id, page.created_at
ORDER BY page.created_at, p.id
"""
GET_PROJECT = f"""
SELECT p.id, p.name, p.maximum_number_of_incomplete_tasks, p.archived_at,
       count(t.number) AS number_of_tasks, count(t.completed_at) AS number_of_completed_tasks
FROM {projects.fullname} AS p LEFT JOIN {tasks.fullname} AS t ON t.project_id = p.id
WHERE p.id = $2 AND p.owner_id = $1 AND p.deleted_at IS NULL
GROUP BY p.id
"""
# One round trip: the outer join yields one all-NULL task row for a project without tasks, and
# no row at all when the caller owns no such live project.
LIST_TASKS = f"""
SELECT t.number, t.name, t.completed_at
FROM {projects.fullname} AS p LEFT JOIN {tasks.fullname} AS t ON t.project_id = p.id
WHERE p.id = $2 AND p.owner_id = $1 AND p.deleted_at IS NULL
ORDER BY t.number
"""
GET_TASK = f"""
SELECT t.number, t.name, t.completed_at
FROM {tasks.fullname} AS t JOIN {projects.fullname} AS p ON p.id = t.project_id
WHERE t.project_id = $2 AND t.number = $3 AND p.owner_id = $1 AND p.deleted_at IS NULL
"""
PROJECT_EXISTS = f"""
SELECT 1 FROM {projects.fullname} WHERE id = $2 AND owner_id = $1 AND deleted_at IS NULL
"""


class PgProjectReadModel(ProjectReadModel):
    """The hottest path of the API: one prepared statement per view on a plain asyncpg pool."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def list_projects(self, owner_id: UUID, *, limit: int, offset: int) -> ProjectPage:
        rows = await self._pool.fetch(LIST_PROJECTS, owner_id, limit, offset)
        return ProjectPage(
            projects=[_project_view(row) for row in rows if row["id"] is not None],
            total=rows[0]["total"],
            limit=limit,
            offset=offset,
        )

    async def get_project(self, owner_id: UUID, project_id: UUID) -> ProjectView | None:
        row = await self._pool.fetchrow(GET_PROJECT, owner_id, project_id)
        return None if row is None else _project_view(row)

    async def list_tasks(self, owner_id: UUID, project_id: UUID) -> list[TaskView] | None:
        rows = await self._pool.fetch(LIST_TASKS, owner_id, project_id)
        if not rows:
            return None
        return [TaskView(*row) for row in rows if row[0] is not None]

    async def get_task(self, owner_id: UUID, project_id: UUID, number: int) -> TaskView | None:
        row = await self._pool.fetchrow(GET_TASK, owner_id, project_id, number)
        return None if row is None else TaskView(*row)

    async def project_exists(self, owner_id: UUID, project_id: UUID) -> bool:
        return await self._pool.fetchrow(PROJECT_EXISTS, owner_id, project_id) is not None


def _project_view(row: asyncpg.Record) -> ProjectView:
    return ProjectView(
        id=row["id"],
        name=row["name"],
        maximum_number_of_incomplete_tasks=row["maximum_number_of_incomplete_tasks"],
        archived_at=row["archived_at"],
        number_of_tasks=row["number_of_tasks"],
        number_of_completed_tasks=row["number_of_completed_tasks"],
    )
