"""The UnitOfWork of accounts: users and their outbox rows in one transaction (the chassis's
OutboxUnitOfWork, given the user repository and what a violated constraint means here)."""

from __future__ import annotations

from accounts.domain.errors import ConcurrentUpdateError, EmailAddressAlreadyTakenError
from accounts.domain.user import User
from accounts.infrastructure.persistence.outbox import USER_EVENTS
from accounts.infrastructure.persistence.tables import USERS_EMAIL_UNIQUE
from accounts.infrastructure.persistence.user_repository import SqlAlchemyUserRepository
from chassis import OutboxSession, OutboxUnitOfWork


def user_unit_of_work(
    transaction: OutboxSession,
) -> OutboxUnitOfWork[User, SqlAlchemyUserRepository]:
    return OutboxUnitOfWork(
        transaction,
        repository=SqlAlchemyUserRepository,
        events=USER_EVENTS,
        stale=lambda: ConcurrentUpdateError("The user was changed meanwhile; try again."),
        conflicts={USERS_EMAIL_UNIQUE: EmailAddressAlreadyTakenError},  # a twin committed first
    )
