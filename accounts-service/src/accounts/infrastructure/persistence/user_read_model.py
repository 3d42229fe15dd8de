"""Read side: ``/users/me`` answered with two plain queries, no aggregate loaded."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from accounts.application.ports import UserProjectView, UserReadModel, UserView
from accounts.infrastructure.persistence.tables import user_projects, users


class SqlUserReadModel(UserReadModel):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get_user(self, user_id: UUID) -> UserView | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(users.c.id, users.c.email).where(users.c.id == user_id)
                )
            ).one_or_none()
            if row is None:
                return None
            projects = await connection.execute(
                select(user_projects.c.project_id, user_projects.c.name)
                .where(
                    user_projects.c.user_id == user_id,
                    user_projects.c.deleted.is_(False),
                    user_projects.c.name.is_not(None),
                )
                .order_by(user_projects.c.name, user_projects.c.project_id)
            )
            return UserView(
                id=row.id,
                email=row.email,
                projects=[UserProjectView(id=p.project_id, name=p.name) for p in projects],
            )
