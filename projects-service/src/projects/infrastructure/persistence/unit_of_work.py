"""The UnitOfWork of projects: projects and their outbox rows in one transaction (the chassis's
OutboxUnitOfWork, given the project repository and what a violated constraint means here)."""

from __future__ import annotations

from chassis import OutboxSession, OutboxUnitOfWork
from projects.domain.errors import ConcurrentUpdateError, ProjectAlreadyExistsError
from projects.domain.project import Project
from projects.infrastructure.persistence.outbox import PROJECT_EVENTS
from projects.infrastructure.persistence.project_repository import SqlAlchemyProjectRepository
from projects.infrastructure.persistence.tables import PROJECTS_PRIMARY_KEY, TASKS_PRIMARY_KEY

CONCURRENT_UPDATE = "The project was changed meanwhile; try again."
ALREADY_EXISTS = "A project with this id exists already."


def project_unit_of_work(
    transaction: OutboxSession,
) -> OutboxUnitOfWork[Project, SqlAlchemyProjectRepository]:
    """Two writers that both passed the checks would collide on a task number; a derived
    project id (a starter project) collides when the project exists."""
    return OutboxUnitOfWork(
        transaction,
        repository=SqlAlchemyProjectRepository,
        events=PROJECT_EVENTS,
        stale=lambda: ConcurrentUpdateError(CONCURRENT_UPDATE),
        conflicts={
            TASKS_PRIMARY_KEY: lambda: ConcurrentUpdateError(CONCURRENT_UPDATE),
            PROJECTS_PRIMARY_KEY: lambda: ProjectAlreadyExistsError(ALREADY_EXISTS),
        },
    )
