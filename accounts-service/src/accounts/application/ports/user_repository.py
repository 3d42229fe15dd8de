"""Port: load and store User aggregates."""

import abc
from uuid import UUID

from accounts.domain.email_address import EmailAddress
from accounts.domain.user import User


class UserRepository(abc.ABC):
    """Collection-like access to users, within one unit of work: the events of the users it
    handed out are stored with them when the unit of work commits."""

    @abc.abstractmethod
    def add(self, user: User) -> None: ...

    @abc.abstractmethod
    async def get(self, user_id: UUID) -> User | None: ...

    @abc.abstractmethod
    async def get_by_email(self, email: EmailAddress) -> User | None:
        """Find the user whose address matches in any letter case."""
