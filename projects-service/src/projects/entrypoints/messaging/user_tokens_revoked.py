"""Refuses a user's older tokens here once accounts ended them (a logout, a new password)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import EffectHandler
from contracts import PROJECTS_USER_TOKENS_REVOKED_QUEUE, Envelope, UserTokensRevoked
from projects.application.commands import RecordTokenRevocation
from projects.application.revocation_handlers import record_token_revocation
from projects.bootstrap import Container

CONSUMER_NAME = "projects.token_revocations"


def handler(container: Container) -> EffectHandler:
    """The effect of one UserTokensRevoked, in the consumer's transaction on ``connection``."""

    async def on_user_tokens_revoked(envelope: Envelope[Any], connection: AsyncConnection) -> None:
        event: UserTokensRevoked = envelope.payload
        await record_token_revocation(
            RecordTokenRevocation(user_id=event.user_id, revoked_before=event.revoked_before),
            container.token_revocations(connection),
        )

    return on_user_tokens_revoked


def subscribe(container: Container) -> None:
    container.platform.messaging.consume(
        name=CONSUMER_NAME,
        queue=PROJECTS_USER_TOKENS_REVOKED_QUEUE,
        handle=handler(container),
        description="Refuses the tokens accounts ended (logout, new password).",
    )
