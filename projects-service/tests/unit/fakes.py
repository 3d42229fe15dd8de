"""In-memory stand-ins for the application's ports (unit tests only)."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from projects.application.ports import (
    ProjectPage,
    ProjectReadModel,
    ProjectRepository,
    ProjectView,
    TaskView,
    UnitOfWork,
)
from projects.domain.errors import ProjectAlreadyExistsError
from projects.domain.events import DomainEvent
from projects.domain.project import Project


class FakeProjectRepository(ProjectRepository):
    """Added projects are stored on commit, where an id already taken (deleted projects
    included) fails as the primary key does."""

    def __init__(self, projects: list[Project] | None = None) -> None:
        self.projects = {project.id: project for project in projects or []}
        self.pending: list[Project] = []
        self.seen: list[Project] = []  # handed out in the current unit of work

    def _see(self, project: Project | None) -> Project | None:
        if project is not None and project not in self.seen:
            self.seen.append(project)
        return project

    def add(self, project: Project) -> None:
        self.pending.append(project)
        self._see(project)

    def store_pending(self) -> list[DomainEvent]:
        """Store the added projects; the events the projects handed out raised, taken once."""
        pending, self.pending = self.pending, []
        if any(project.id in self.projects for project in pending):
            raise ProjectAlreadyExistsError("A project with this id exists already.")
        self.projects.update((project.id, project) for project in pending)
        events = [event for project in self.seen for event in project.events]
        for project in self.seen:
            project.events.clear()
        return events

    async def get(self, project_id: UUID, *, task_number: int | None = None) -> Project | None:
        # Held whole in memory: every task is at hand, whichever one was asked for.
        project = self.projects.get(project_id)
        return None if project is None or project.deleted else self._see(project)


class FakeUnitOfWork(UnitOfWork):
    """Leaving without a commit drops what was added, as a rollback would."""

    def __init__(self, projects: list[Project] | None = None) -> None:
        self.projects = FakeProjectRepository(projects)
        self.committed = 0
        self.published: list[DomainEvent] = []

    async def __aenter__(self) -> FakeProjectRepository:
        self.projects.seen.clear()
        return self.projects

    async def __aexit__(self, *exc_info: object) -> None:
        self.projects.pending.clear()

    async def commit(self) -> None:
        self.published.extend(self.projects.store_pending())
        self.committed += 1


class FakeProjectReadModel(ProjectReadModel):
    """Answers from aggregates kept in memory, with the same owner and deletion filters."""

    def __init__(self, projects: list[Project] | None = None) -> None:
        self.projects = list(projects or [])

    def _live(self, owner_id: UUID) -> list[Project]:
        return [p for p in self.projects if p.owner_id == owner_id and not p.deleted]

    def _find(self, owner_id: UUID, project_id: UUID) -> Project | None:
        return next((p for p in self._live(owner_id) if p.id == project_id), None)

    async def list_projects(self, owner_id: UUID, *, limit: int, offset: int) -> ProjectPage:
        live = sorted(self._live(owner_id), key=lambda p: (p.created_at, str(p.id)))
        views = [ProjectView.of(p) for p in live[offset : offset + limit]]
        return ProjectPage(projects=views, total=len(live), limit=limit, offset=offset)

    async def get_project(self, owner_id: UUID, project_id: UUID) -> ProjectView | None:
        project = self._find(owner_id, project_id)
        return None if project is None else ProjectView.of(project)

    async def list_tasks(self, owner_id: UUID, project_id: UUID) -> list[TaskView] | None:
        project = self._find(owner_id, project_id)
        return None if project is None else [TaskView.of(t) for t in project.tasks_at_hand]

    async def get_task(self, owner_id: UUID, project_id: UUID, number: int) -> TaskView | None:
        project = self._find(owner_id, project_id)
        tasks = [] if project is None else [t for t in project.tasks_at_hand if t.number == number]
        return TaskView.of(tasks[0]) if tasks else None

    async def project_exists(self, owner_id: UUID, project_id: UUID) -> bool:
        return self._find(owner_id, project_id) is not None


class FakeJwksFetcher:
    """Serves whatever document the test sets, or fails; counts fetches."""

    def __init__(self, document: Mapping[str, Any] | None = None) -> None:
        self.document = document
        self.fetches = 0
        self.closed = False

    async def fetch(self) -> Mapping[str, Any]:
        self.fetches += 1
        if self.document is None:
            raise ConnectionError("accounts-service is down")
        return self.document

    async def close(self) -> None:
        self.closed = True


class FakeClock:
    """A monotonic clock the test moves by hand, so caches are tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
