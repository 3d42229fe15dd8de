"""Read side: ``/users/me`` answered with one plain query, no aggregate loaded."""

from uuid import UUID

from accounts.application.ports import UserProjectView, UserReadModel, UserView
from accounts.infrastructure.persistence.tables import user_projects, users
from chassis import ReadPool

# The user with the projects of its projection that
# are live and named; the outer join yields one all-NULL project for a user with none.
GET_USER = f"""
SELECT u.id, u.email, p.project_id, p.name
FROM {users.fullname} AS u
LEFT JOIN {user_projects.fullname} AS p
    ON p.user_id = u.id AND NOT p.deleted AND p.name IS NOT NULL
WHERE u.id = $1
ORDER BY p.name, p.project_id
"""


class PgUserReadModel(UserReadModel):
    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def get_user(self, user_id: UUID) -> UserView | None:
        rows = await self._pool.fetch(GET_USER, user_id)
        if not rows:
            return None
        return UserView(
            id=rows[0]["id"],
            email=rows[0]["email"],
            projects=[
                UserProjectView(id=row["project_id"], name=row["name"])
                for row in rows
                if row["project_id"] is not None
            ],
        )
