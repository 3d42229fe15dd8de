"""UnitOfWork on one SQLAlchemy session: projects and their outbox rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from chassis import OutboxSession, current_correlation_id, violated_constraint
from projects.application.ports import UnitOfWork
from projects.domain.errors import ConcurrentUpdateError, ProjectAlreadyExistsError
from projects.domain.events import DomainEvent
from projects.infrastructure.persistence.outbox import project_outbox_row
from projects.infrastructure.persistence.project_repository import SqlAlchemyProjectRepository
from projects.infrastructure.persistence.tables import (
    PROJECTS_PRIMARY_KEY,
    TASKS_PRIMARY_KEY,
    messages,
)

CONCURRENT_UPDATE = "The project was changed meanwhile; try again."
ALREADY_EXISTS = "A project with this id exists already."


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, transaction: OutboxSession) -> None:
        self._transaction = transaction

    @classmethod
    def on(cls, session_factory: Callable[[], AsyncSession]) -> SqlAlchemyUnitOfWork:
        """Each ``async with`` in a transaction of its own."""
        return cls(OutboxSession(session_factory, messages.outbox))

    @classmethod
    def joining(cls, connection: AsyncConnection) -> SqlAlchemyUnitOfWork:
        """Inside the transaction the caller has begun on ``connection`` (a consumer's, which
        holds its inbox row): nothing is durable before the caller commits."""
        return cls(OutboxSession.joining(connection, messages.outbox))

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self.projects = SqlAlchemyProjectRepository(self._transaction.open())
        return self

    async def __aexit__(self, *args: object) -> None:
        await self._transaction.close()

    @property
    def session(self) -> AsyncSession:
        """The open session (for tests that act beside the repository in its transaction)."""
        return self._transaction.session

    async def _commit(self, events: list[DomainEvent]) -> None:
        correlation_id = current_correlation_id()
        rows = [project_outbox_row(event, correlation_id=correlation_id) for event in events]
        try:
            await self._transaction.commit(rows)
        except StaleDataError as error:
            # The version check in UPDATE ... WHERE version = <loaded> matched no row.
            raise ConcurrentUpdateError(CONCURRENT_UPDATE) from error
        except IntegrityError as error:
            # Two writers that both passed the checks would collide on a task number; a
            # derived project id (a starter project) collides when the project exists. Any
            # other integrity error is a bug and must not pass for a conflict.
            constraint = violated_constraint(error)
            if constraint == TASKS_PRIMARY_KEY:
                raise ConcurrentUpdateError(CONCURRENT_UPDATE) from error
            if constraint == PROJECTS_PRIMARY_KEY:
                raise ProjectAlreadyExistsError(ALREADY_EXISTS) from error
            raise

    async def rollback(self) -> None:
        await self._transaction.rollback()
