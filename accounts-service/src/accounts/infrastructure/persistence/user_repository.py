"""UserRepository on PostgreSQL."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.application.ports import UserRepository
from accounts.domain.email_address import EmailAddress
from accounts.domain.user import User
from accounts.infrastructure.persistence.tables import users


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self._session = session

    def _add(self, user: User) -> None:
        self._session.add(user)

    async def _get(self, user_id: UUID) -> User | None:
        return await self._session.get(User, user_id)

    async def _get_by_email(self, email: EmailAddress) -> User | None:
        query = select(User).where(func.lower(users.c.email) == email.key)
        return (await self._session.scalars(query)).one_or_none()
