"""Refuses a user's older tokens here once accounts ended them (a logout, a new password)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Consumer
from contracts import PROJECTS_USER_TOKENS_REVOKED_QUEUE, Envelope, UserTokensRevoked
from projects.application.commands import RecordTokenRevocation
from projects.application.revocation_handlers import record_token_revocation
from projects.bootstrap import Container


async def on_user_tokens_revoked(
    container: Container, envelope: Envelope[Any], connection: AsyncConnection
) -> None:
    event: UserTokensRevoked = envelope.payload
    await record_token_revocation(
        RecordTokenRevocation(user_id=event.user_id, revoked_before=event.revoked_before),
        container.token_revocations(connection),
    )


CONSUMER = Consumer(
    name="projects.token_revocations",
    queue=PROJECTS_USER_TOKENS_REVOKED_QUEUE,
    apply=on_user_tokens_revoked,
    description="Refuses the tokens accounts ended (logout, new password).",
)
