"""UnitOfWork on one SQLAlchemy session: aggregates and their outbox rows in one transaction."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from projects.application.ports import UnitOfWork
from projects.domain.errors import ConcurrentUpdateError
from projects.domain.events import DomainEvent
from projects.infrastructure.correlation import current_correlation_id
from projects.infrastructure.persistence.outbox import outbox_row
from projects.infrastructure.persistence.project_repository import SqlAlchemyProjectRepository
from projects.infrastructure.persistence.tables import TASKS_PRIMARY_KEY, outbox

CONCURRENT_UPDATE = "The project was changed meanwhile; try again."


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

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
            # Two writers that both passed the checks would collide on a task number; any
            # other integrity error is a bug and must not pass for a retryable conflict.
            if _violated_constraint(error) == TASKS_PRIMARY_KEY:
                raise ConcurrentUpdateError(CONCURRENT_UPDATE) from error
            raise

    async def rollback(self) -> None:
        await self.session.rollback()


def _violated_constraint(error: IntegrityError) -> str | None:
    # SQLAlchemy wraps asyncpg's UniqueViolationError, which names the index it tripped over.
    driver_error = getattr(error.orig, "__cause__", None)
    return getattr(driver_error, "constraint_name", None)
