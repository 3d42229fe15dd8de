"""Domain events raised by the User aggregate."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DomainEvent:
    user_id: UUID
    user_version: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class UserAccountCreated(DomainEvent):
    email: str


@dataclass(frozen=True, slots=True)
class UserEmailChanged(DomainEvent):
    old_email: str
    new_email: str


@dataclass(frozen=True, slots=True)
class UserTokensRevoked(DomainEvent):
    """Every token issued to the user at or before ``revoked_before`` has ended."""

    revoked_before: datetime
