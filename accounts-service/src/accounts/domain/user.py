"""The User aggregate: an account someone logs in with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import ConcurrentUpdateError
from accounts.domain.events import (
    DomainEvent,
    UserAccountCreated,
    UserEmailChanged,
    UserTokensRevoked,
)


@dataclass(eq=False, kw_only=True, repr=False)
class User:
    """Owns its email address and password hash; every change bumps ``version``.

    ``events`` holds what happened since the aggregate was loaded; the unit of work turns them
    into outbox rows in the same transaction.
    """

    id: UUID
    email: EmailAddress
    password_hash: str
    version: int
    created_at: datetime
    tokens_revoked_before: datetime | None = None
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def register(cls, *, email: EmailAddress, password_hash: str) -> User:
        now = datetime.now(UTC)
        user = cls(id=uuid4(), email=email, password_hash=password_hash, version=1, created_at=now)
        user.events.append(
            UserAccountCreated(user_id=user.id, user_version=1, occurred_at=now, email=email.value)
        )
        return user

    def change_email(self, new_email: EmailAddress) -> None:
        if new_email == self.email:
            return
        old_email = self.email
        self.email = new_email
        self.version += 1
        self.events.append(
            UserEmailChanged(
                user_id=self.id,
                user_version=self.version,
                occurred_at=datetime.now(UTC),
                old_email=old_email.value,
                new_email=new_email.value,
            )
        )

    def end_sessions(self, at: datetime) -> None:
        """End every token issued to this user until ``at`` (a logout everywhere)."""
        if self.tokens_revoked_before is not None and at <= self.tokens_revoked_before:
            at = self.tokens_revoked_before  # the instant never moves back
        self.tokens_revoked_before = at
        self.version += 1
        self.events.append(
            UserTokensRevoked(
                user_id=self.id, user_version=self.version, occurred_at=at, revoked_before=at
            )
        )

    def change_password(self, password_hash: str, at: datetime, *, proven: str) -> None:
        """A new password ends every token issued until now: whoever knew the old one may hold
        one. ``proven`` is the hash the caller's current password was checked against; a
        password changed since then was not proven, and the change is refused."""
        if proven != self.password_hash:
            raise ConcurrentUpdateError("The password was changed meanwhile.")
        self.password_hash = password_hash
        self.end_sessions(at)

    def issue_time(self, read_at: datetime) -> datetime:
        """The issue time of a token proven against this state of the user, read at
        ``read_at``: a logout or password change the read did not see, committed later, ends
        it; one the read saw never does (its instant may come from a replica whose clock is
        ahead of this one)."""
        ended = self.tokens_revoked_before
        if ended is not None and read_at <= ended:
            return ended + timedelta(microseconds=1)
        return read_at

    def __repr__(self) -> str:
        return f"User(id={self.id}, email={self.email.value!r}, version={self.version})"
