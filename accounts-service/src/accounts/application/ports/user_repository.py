"""Port: load and store User aggregates."""

import abc
from uuid import UUID

from accounts.domain.email_address import EmailAddress
from accounts.domain.events import DomainEvent
from accounts.domain.user import User


class UserRepository(abc.ABC):
    """Collection-like access to users; remembers what it handed out so events can be collected."""

    def __init__(self) -> None:
        self.seen: set[User] = set()

    def take_events(self) -> list[DomainEvent]:
        """The events the users handed out have raised (each one's in order); taken once."""
        events = [event for user in self.seen for event in user.events]
        for user in self.seen:
            user.events.clear()
        return events

    def add(self, user: User) -> None:
        self._add(user)
        self.seen.add(user)

    async def get(self, user_id: UUID) -> User | None:
        user = await self._get(user_id)
        if user is not None:
            self.seen.add(user)
        return user

    async def get_by_email(self, email: EmailAddress) -> User | None:
        """Find the user whose address matches in any letter case."""
        user = await self._get_by_email(email)
        if user is not None:
            self.seen.add(user)
        return user

    @abc.abstractmethod
    def _add(self, user: User) -> None: ...

    @abc.abstractmethod
    async def _get(self, user_id: UUID) -> User | None: ...

    @abc.abstractmethod
    async def _get_by_email(self, email: EmailAddress) -> User | None: ...
