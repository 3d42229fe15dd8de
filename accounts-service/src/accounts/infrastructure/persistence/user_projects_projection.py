"""The local ``user_projects`` projection of projects-service's events, for ``/users/me``.

Events may arrive late, twice or out of order, so every field keeps its own order: the name
is the one of the newest event that carries a name (``name_version``), whatever nameless events
(archive, unarchive, delete) came in between or after; a deletion is final; ``project_version``
is the newest version seen. Any order of the same events ends in the same row.
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
        name_version=change.version if change.name is not None else None,
        project_version=change.version,
        deleted=change.deleted,
    )
    new = statement.excluded
    names_newer = new.name.is_not(None) & (
        row.name_version.is_(None) | (row.name_version < new.name_version)
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[row.project_id],
            set_={
                "project_version": func.greatest(row.project_version, new.project_version),
                "name": case((names_newer, new.name), else_=row.name),
                "name_version": case((names_newer, new.name_version), else_=row.name_version),
                # Deletion is final: no older or newer event brings a project back.
                "deleted": row.deleted | new.deleted,
                "updated_at": func.now(),
            },
        )
    )
