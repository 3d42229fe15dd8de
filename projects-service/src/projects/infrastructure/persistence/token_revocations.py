"""Token revocations on PostgreSQL: recorded by the consumer, reloaded by every replica."""

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import ReadPool
from projects.application.commands import RecordTokenRevocation
from projects.application.ports import TokenRevocations
from projects.infrastructure.persistence.tables import revoked_tokens


class SqlTokenRevocations(TokenRevocations):
    """Writes on the consumer's transaction, next to its inbox row."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, revocation: RecordTokenRevocation) -> None:
        statement = insert(revoked_tokens).values(
            user_id=revocation.user_id, revoked_before=revocation.revoked_before
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[revoked_tokens.c.user_id],
                set_={
                    "revoked_before": func.greatest(
                        revoked_tokens.c.revoked_before, statement.excluded.revoked_before
                    )
                },
            )
        )


# Older revocations cannot matter: accounts issues no token that lives longer than a day.
RECENT_REVOCATIONS = f"""
SELECT user_id, revoked_before FROM {revoked_tokens.fullname}
WHERE revoked_before > now() - interval '1 day'
"""  # noqa: S608 - our own table name, no input


class RecentRevocations:
    """Loads ``{user id: epoch seconds}`` for the token verifier's ``PolledRevocations``."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def __call__(self) -> Mapping[UUID, float]:
        rows = await self._pool.fetch(RECENT_REVOCATIONS)
        return {row["user_id"]: row["revoked_before"].timestamp() for row in rows}
