"""ProjectRepository on PostgreSQL."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from chassis import SeenAggregates
from projects.application.ports import ProjectRepository
from projects.domain.project import Project
from projects.domain.task import Task
from projects.infrastructure.persistence.tables import projects, tasks


class SqlAlchemyProjectRepository(ProjectRepository):
    """Loads for writing with ``SELECT ... FOR UPDATE``: writers of one project queue up, so
    each sees the tasks the previous one added (the limit and the numbering stay exact).

    The task counts and the task are read by statements of their own after the lock is held:
    under READ COMMITTED each statement sees what was committed before it began, so they
    include the work of the writer this one waited for (a subquery inside the locking SELECT
    would still see the older snapshot)."""

    def __init__(self, session: AsyncSession, seen: SeenAggregates[Project]) -> None:
        self._session = session
        self._seen = seen

    def add(self, project: Project) -> None:
        self._session.add(self._seen.see(project))

    async def get(self, project_id: UUID, *, task_number: int | None = None) -> Project | None:
        query = (
            select(Project)
            .where(projects.c.id == project_id, projects.c.deleted_at.is_(None))
            .with_for_update(of=projects)
        )
        project = (await self._session.scalars(query)).one_or_none()
        if project is None:
            return None
        if project in self._seen:  # loaded before in this unit of work: as it stands now
            if task_number is None or any(t.number == task_number for t in project.tasks_at_hand):
                return project
            raise RuntimeError(
                f"Project {project_id} was loaded before in this unit of work without task "
                f"{task_number}; load it once, with the task the change needs."
            )
        total, incomplete = (
            await self._session.execute(
                select(
                    func.count(),
                    func.count().filter(tasks.c.completed_at.is_(None)),
                ).where(tasks.c.project_id == project_id)
            )
        ).one()
        project.restore_task_counts(total=total, incomplete=incomplete)
        at_hand: list[Task] = []
        if task_number is not None:
            at_hand = list(
                await self._session.scalars(
                    select(Task).where(
                        tasks.c.project_id == project_id, tasks.c.number == task_number
                    )
                )
            )
        set_committed_value(project, "_tasks", at_hand)
        return self._seen.see(project)
