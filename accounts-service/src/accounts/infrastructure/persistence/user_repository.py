"""UserRepository on PostgreSQL."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.application.ports import UserRepository
from accounts.domain.email_address import EmailAddress
from accounts.domain.user import User
from accounts.infrastructure.persistence.tables import users
from chassis import SeenAggregates


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: AsyncSession, seen: SeenAggregates[User]) -> None:
        self._session = session
        self._seen = seen

    def add(self, user: User) -> None:
        self._session.add(self._seen.see(user))

    async def get(self, user_id: UUID) -> User | None:
        return self._seen.see(await self._session.get(User, user_id))

    async def get_by_email(self, email: EmailAddress) -> User | None:
        query = select(User).where(func.lower(users.c.email) == email.key)
        return self._seen.see((await self._session.scalars(query)).one_or_none())
