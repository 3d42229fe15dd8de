"""Consumer side, over the real broker: once accounts says a user's tokens ended, projects
refuses those tokens (within the reload interval) and accepts one issued right after."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import select

from contracts import ACCOUNTS_EXCHANGE, UserTokensRevoked, example
from projects.bootstrap import Container
from projects.infrastructure.persistence.tables import inbox, revoked_tokens
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, publish_envelope
from tests.stand_in_accounts import StandInAccounts

from .conftest import User

PROPAGATION_SECONDS = 15.0  # broker delivery + one reload interval (1 s), with CI's slowness


def revoked(user_id: UUID, before: datetime) -> dict[str, Any]:
    """The contract's example, for this user and instant, with a fresh message id."""
    message = example(UserTokensRevoked)
    payload = message.payload.model_copy(update={"user_id": user_id, "revoked_before": before})
    envelope = message.model_copy(
        update={"message_id": uuid4(), "payload": payload, "aggregate_id": user_id}
    )
    body: dict[str, Any] = envelope.model_dump(mode="json")
    return body


async def publish(amqp_url: str, body: dict[str, Any]) -> None:
    async with amqp(amqp_url) as channel:
        await publish_envelope(
            channel, ACCOUNTS_EXCHANGE, body, routing_key=UserTokensRevoked.routing_key()
        )


async def status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/projects", headers=headers)).status_code


async def test_a_revoked_users_older_tokens_are_refused_and_a_newer_one_accepted(
    client: httpx.AsyncClient,
    accounts: StandInAccounts,
    alice: User,
    bob: User,
    amqp_url: str,
) -> None:
    assert await status(client, alice.headers) == 200  # verified and cached before

    await publish(amqp_url, revoked(alice.id, datetime.now(UTC)))
    await eventually(
        lambda: status(client, alice.headers),
        until=lambda code: code == 401,
        timeout=PROPAGATION_SECONDS,
        what="alice's old token refused",
    )
    refused = await client.get("/api/projects", headers=alice.headers)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "revoked" in refused.json()["detail"]
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]

    fresh = {"Authorization": f"Bearer {accounts.token(alice.id)}"}
    assert await status(client, fresh) == 200
    assert await status(client, bob.headers) == 200  # other users are unaffected


async def test_an_older_revocation_arriving_late_does_not_move_the_instant_back(
    container: Container, alice: User, amqp_url: str
) -> None:
    newer = datetime.now(UTC).replace(microsecond=123456)
    messages = [revoked(alice.id, newer), revoked(alice.id, newer - timedelta(minutes=5))]
    for body in messages:
        await publish(amqp_url, body)

    async def applied() -> int:
        ids = [UUID(body["message_id"]) for body in messages]
        async with container.platform.engine.connect() as connection:
            result = await connection.execute(
                select(inbox.c.message_id).where(inbox.c.message_id.in_(ids))
            )
            return len(result.all())

    await eventually(applied, until=lambda count: count == 2, what="both messages applied")
    async with container.platform.engine.connect() as connection:
        result = await connection.execute(
            select(revoked_tokens.c.revoked_before).where(revoked_tokens.c.user_id == alice.id)
        )
        assert list(result.scalars()) == [newer]
