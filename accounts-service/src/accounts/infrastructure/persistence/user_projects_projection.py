"""The local ``user_projects`` projection of projects-service's events, for ``/users/me``.

Events may arrive late, twice or out of order. Each row keeps the version of the newest event
applied; an older event never overwrites it — except to fill in a name that a newer, nameless
event (say ``ProjectArchived``) could not provide.
"""

from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.application.commands import RecordProjectChange
from accounts.application.ports import UserProjects
from accounts.infrastructure.persistence.tables import user_projects


class SqlUserProjects(UserProjects):
    """The projection on the connection of the consumer's transaction (next to its inbox row)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, change: RecordProjectChange) -> None:
        await apply_project_change(self._connection, change)


async def apply_project_change(connection: AsyncConnection, change: RecordProjectChange) -> None:
    row = user_projects.c
    statement = insert(user_projects).values(
        project_id=change.project_id,
        user_id=change.owner_id,
        name=change.name,
        project_version=change.version,
        deleted=change.deleted,
    )
    new = statement.excluded
    is_newer = row.project_version < new.project_version
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[row.project_id],
            set_={
                "project_version": func.greatest(row.project_version, new.project_version),
                "name": case(
                    (new.name.is_(None), row.name),
                    (is_newer | row.name.is_(None), new.name),
                    else_=row.name,
                ),
                # Deletion is final: no older or newer event brings a project back.
                "deleted": row.deleted | new.deleted,
                "updated_at": func.now(),
            },
        )
    )
