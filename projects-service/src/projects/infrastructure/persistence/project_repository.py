"""ProjectRepository on PostgreSQL."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from projects.application.ports import ProjectRepository
from projects.domain.project import Project
from projects.infrastructure.persistence.tables import projects


class SqlAlchemyProjectRepository(ProjectRepository):
    """Loads for writing with ``SELECT ... FOR UPDATE``: writers of one project queue up, so
    each sees the tasks the previous one added (the limit and the numbering stay exact)."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self._session = session

    def _add(self, project: Project) -> None:
        self._session.add(project)

    async def _get(self, project_id: UUID) -> Project | None:
        query = (
            select(Project)
            .where(projects.c.id == project_id, projects.c.deleted_at.is_(None))
            .with_for_update(of=projects)
        )
        return (await self._session.scalars(query)).one_or_none()
