"""UnitOfWork on one SQLAlchemy session: users and their outbox rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from accounts.application.ports import UnitOfWork
from accounts.domain.errors import ConcurrentUpdateError, EmailAddressAlreadyTakenError
from accounts.domain.events import DomainEvent
from accounts.infrastructure.persistence.outbox import user_outbox_row
from accounts.infrastructure.persistence.tables import USERS_EMAIL_UNIQUE, messages
from accounts.infrastructure.persistence.user_repository import SqlAlchemyUserRepository
from chassis import OutboxSession, current_correlation_id, violated_constraint


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, transaction: OutboxSession) -> None:
        self._transaction = transaction

    @classmethod
    def on(cls, session_factory: Callable[[], AsyncSession]) -> SqlAlchemyUnitOfWork:
        """Each ``async with`` in a transaction of its own."""
        return cls(OutboxSession(session_factory, messages.outbox))

    @classmethod
    def joining(cls, connection: AsyncConnection) -> SqlAlchemyUnitOfWork:
        """Inside the transaction the caller has begun on ``connection`` (the one that stores
        a request's idempotency key): nothing is durable before the caller commits."""
        return cls(OutboxSession.joining(connection, messages.outbox))

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self.users = SqlAlchemyUserRepository(self._transaction.open())
        return self

    async def __aexit__(self, *args: object) -> None:
        await self._transaction.close()

    async def _commit(self, events: list[DomainEvent]) -> None:
        correlation_id = current_correlation_id()
        rows = [user_outbox_row(event, correlation_id=correlation_id) for event in events]
        try:
            await self._transaction.commit(rows)
        except IntegrityError as error:
            if violated_constraint(error) == USERS_EMAIL_UNIQUE:
                emails = [user.email.value for user in self.users.seen]
                raise EmailAddressAlreadyTakenError(
                    emails[0] if len(emails) == 1 else None
                ) from error
            raise
        except StaleDataError as error:
            raise ConcurrentUpdateError("The user was changed meanwhile; try again.") from error

    async def rollback(self) -> None:
        await self._transaction.rollback()
