"""The users' revocation instants, for the token verifier's ``PolledRevocations``."""

from collections.abc import Mapping
from uuid import UUID

from accounts.infrastructure.persistence.tables import users
from chassis import ReadPool

# Older revocations cannot matter: no token lives longer than a day (ACCESS_TOKEN_TTL_SECONDS).
RECENT_REVOCATIONS = f"""
SELECT id, tokens_revoked_before FROM {users.fullname}
WHERE tokens_revoked_before > now() - interval '1 day'
"""  # noqa: S608 - our own table name, no input


class RecentRevocations:
    """Loads ``{user id: epoch seconds}`` of every revocation younger than any live token."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def __call__(self) -> Mapping[UUID, float]:
        rows = await self._pool.fetch(RECENT_REVOCATIONS)
        return {row["id"]: row["tokens_revoked_before"].timestamp() for row in rows}
