"""Token revocations on PostgreSQL: recorded by the consumer, reloaded by every replica."""

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

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
