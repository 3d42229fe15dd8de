"""UnitOfWork on one SQLAlchemy session: aggregates and their outbox rows in one transaction."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from accounts.application.ports import UnitOfWork
from accounts.domain.errors import ConcurrentUpdateError, EmailAddressAlreadyTakenError
from accounts.domain.events import DomainEvent
from accounts.infrastructure.correlation import current_correlation_id
from accounts.infrastructure.persistence.outbox import outbox_row
from accounts.infrastructure.persistence.tables import USERS_EMAIL_UNIQUE, outbox
from accounts.infrastructure.persistence.user_repository import SqlAlchemyUserRepository


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._session = self._session_factory()
        self.users = SqlAlchemyUserRepository(self._session)
        return self

    async def __aexit__(self, *args: object) -> None:
        # close() ends any open transaction (rolling it back) and detaches the aggregates with
        # their loaded state, so the caller can still read what it got; rollback() would
        # expire that state first.
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
        except IntegrityError as error:
            await self.session.rollback()
            if _violated_constraint(error) == USERS_EMAIL_UNIQUE:
                emails = [user.email.value for user in self.users.seen]
                raise EmailAddressAlreadyTakenError(
                    emails[0] if len(emails) == 1 else None
                ) from error
            raise
        except StaleDataError as error:
            await self.session.rollback()
            raise ConcurrentUpdateError("The user was changed meanwhile; try again.") from error

    async def rollback(self) -> None:
        await self.session.rollback()


def _violated_constraint(error: IntegrityError) -> str | None:
    # SQLAlchemy wraps asyncpg's UniqueViolationError, which names the index it tripped over.
    driver_error = getattr(error.orig, "__cause__", None)
    return getattr(driver_error, "constraint_name", None)
