"""In-memory stand-ins for the application's ports (unit tests only)."""

import copy
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from accounts.application.ports import (
    AccessToken,
    Attempt,
    AttemptThrottle,
    PasswordHasher,
    TokenIssuer,
    UnitOfWork,
    UserReadModel,
    UserRepository,
    UserView,
)
from accounts.domain.email_address import EmailAddress
from accounts.domain.events import DomainEvent
from accounts.domain.password import Password
from accounts.domain.user import User


class FakeUserRepository(UserRepository):
    """Keeps users as the database would: ``users`` holds what was committed, and a use case
    works on copies of them that only a commit stores; leaving without a commit drops them. A
    use case that forgets to commit leaves ``users`` as it was."""

    def __init__(self, users: list[User] | None = None) -> None:
        self.users = {user.id: copy.deepcopy(user) for user in users or []}
        self.pending: list[User] = []
        self.working: dict[UUID, User] = {}  # this unit of work's copies, one per user

    def add(self, user: User) -> None:
        self.pending.append(user)

    def store_pending(self) -> list[DomainEvent]:
        """Store what this unit of work changed; the events its users raised, taken once."""
        changed = [*self.working.values(), *self.pending]
        events = [event for user in changed for event in user.events]
        for user in changed:
            user.events.clear()
        self.users.update((user.id, copy.deepcopy(user)) for user in changed)
        self.pending = []
        return events

    def discard(self) -> None:
        self.pending, self.working = [], {}

    def _copy(self, user: User | None) -> User | None:
        if user is None:
            return None
        return self.working.setdefault(user.id, copy.deepcopy(user))

    async def get(self, user_id: UUID) -> User | None:
        return self._copy(self.users.get(user_id))

    async def get_by_email(self, email: EmailAddress) -> User | None:
        return self._copy(next((u for u in self.users.values() if u.email.same_as(email)), None))


class FakeUnitOfWork(UnitOfWork):
    """Leaving without a commit drops what was changed or added, as a rollback would."""

    def __init__(self, users: list[User] | None = None) -> None:
        self.users = FakeUserRepository(users)
        self.committed = 0
        self.published: list[DomainEvent] = []

    async def __aenter__(self) -> FakeUserRepository:
        self.users.discard()
        return self.users

    async def __aexit__(self, *exc_info: object) -> None:
        self.users.discard()

    async def commit(self) -> None:
        self.published.extend(self.users.store_pending())
        self.committed += 1


class FakePasswordHasher(PasswordHasher):
    """Reversible 'hash' so tests can see what was stored; counts verifications."""

    def __init__(self) -> None:
        self.verifications = 0
        self.full = False  # as a hashing queue with no place for a hash

    def full_for_hashes(self) -> bool:
        return self.full

    async def hash(self, password: Password) -> str:
        return "hashed:" + password.secret

    async def verify(self, secret: str, password_hash: str | None) -> bool:
        self.verifications += 1
        return password_hash == "hashed:" + secret


class FakeTokenIssuer(TokenIssuer):
    """Records the instant each token rests on."""

    def __init__(self) -> None:
        self.proven_at: list[datetime] = []

    def issue(self, user_id: UUID, *, proven_at: datetime) -> AccessToken:
        self.proven_at.append(proven_at)
        return AccessToken(token=f"token-for-{user_id}", expires_in=60)


class FakeUserReadModel(UserReadModel):
    def __init__(self, views: list[UserView] | None = None) -> None:
        self.views = {view.id: view for view in views or []}

    async def get_user(self, user_id: UUID) -> UserView | None:
        return self.views.get(user_id)


class FakeAttemptThrottle(AttemptThrottle):
    """Counts attempts; any attempt in ``blocked`` must wait ``wait_seconds``."""

    def __init__(self, wait_seconds: float = 30.0) -> None:
        self.counts: Counter[Attempt] = Counter()
        self.blocked: set[Attempt] = set()
        self.wait_seconds = wait_seconds

    async def wait(self, attempts: Sequence[Attempt]) -> float:
        return self.wait_seconds if self.blocked.intersection(attempts) else 0.0

    async def count(self, attempts: Sequence[Attempt]) -> None:
        self.counts.update(attempts)

    async def forget(self, attempt: Attempt) -> None:
        self.counts.pop(attempt, None)
