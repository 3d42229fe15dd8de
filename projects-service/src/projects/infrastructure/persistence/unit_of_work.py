"""UnitOfWork on one SQLAlchemy session: aggregates and their outbox rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from projects.application.ports import UnitOfWork
from projects.domain.errors import ConcurrentUpdateError, ProjectAlreadyExistsError
from projects.domain.events import DomainEvent
from projects.infrastructure.correlation import current_correlation_id
from projects.infrastructure.persistence.outbox import outbox_row
from projects.infrastructure.persistence.project_repository import SqlAlchemyProjectRepository
from projects.infrastructure.persistence.tables import (
    PROJECTS_PRIMARY_KEY,
    TASKS_PRIMARY_KEY,
    outbox,
)

CONCURRENT_UPDATE = "The project was changed meanwhile; try again."
ALREADY_EXISTS = "A project with this id exists already."


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: Callable[[], AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    @classmethod
    def joining(cls, connection: AsyncConnection) -> SqlAlchemyUnitOfWork:
        """A unit of work inside the transaction the caller has begun on ``connection`` (a
        consumer's, which holds its inbox row): it runs in a SAVEPOINT, so its ``commit()``
        only releases the savepoint and nothing is durable before the caller commits; its
        failure rolls back to the savepoint and leaves the caller's transaction usable."""
        return cls(
            lambda: AsyncSession(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        )

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._session = self._session_factory()
        self.projects = SqlAlchemyProjectRepository(self._session)
        return self

    async def __aexit__(self, *args: object) -> None:
        # close() ends any open transaction (rolling it back, releasing row locks) and detaches
        # the aggregates with their loaded state, so the caller can still read what it got;
        # rollback() would expire that state first.
        await self.session.close()
        self._session = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside 'async with'.")
        return self._session

    async def _commit(self, events: list[DomainEvent]) -> None:
        correlation_id = current_correlation_id()
        try:
            await self.session.flush()
            if events:
                rows = [outbox_row(event, correlation_id=correlation_id) for event in events]
                await self.session.execute(insert(outbox), rows)
            await self.session.commit()
        except StaleDataError as error:
            # The version check in UPDATE ... WHERE version = <loaded> matched no row.
            await self.session.rollback()
            raise ConcurrentUpdateError(CONCURRENT_UPDATE) from error
        except IntegrityError as error:
            await self.session.rollback()
            # Two writers that both passed the checks would collide on a task number; a
            # derived project id (a starter project) collides when the project exists. Any
            # other integrity error is a bug and must not pass for a conflict.
            constraint = _violated_constraint(error)
            if constraint == TASKS_PRIMARY_KEY:
                raise ConcurrentUpdateError(CONCURRENT_UPDATE) from error
            if constraint == PROJECTS_PRIMARY_KEY:
                raise ProjectAlreadyExistsError(ALREADY_EXISTS) from error
            raise

    async def rollback(self) -> None:
        await self.session.rollback()


def _violated_constraint(error: IntegrityError) -> str | None:
    # SQLAlchemy wraps asyncpg's UniqueViolationError, which names the index it tripped over.
    driver_error = getattr(error.orig, "__cause__", None)
    return getattr(driver_error, "constraint_name", None)
