"""Producer side, over the real broker: what the relay actually publishes."""

import json
from uuid import UUID

import httpx
import jsonschema

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.infrastructure.persistence.tables import outbox
from contracts import ACCOUNTS_EXCHANGE, UserAccountCreated, UserEmailChanged, load_snapshot
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, capture, exchange_declared_by
from taskboard_testing.tables import unpublished

from .test_users_api import bearer, login, register


async def test_registration_is_published_with_the_contract_body_and_amqp_properties(
    client: httpx.AsyncClient, container: Container, amqp_url: str
) -> None:
    async with amqp(amqp_url) as channel:
        events = await capture(channel, ACCOUNTS_EXCHANGE, "user.account_created.v1")
        created = await client.post(
            "/api/users",
            json={"email": "ada@example.com", "password": "password1"},
            headers={"X-Request-ID": "req-relay-1"},
        )
        message = await events.next()  # in time only if NOTIFY woke the relay (poll: 60 s)

    body = json.loads(message.body)
    jsonschema.validate(body, load_snapshot(UserAccountCreated))
    assert body["payload"] == {"user_id": created.json()["id"], "email": "ada@example.com"}
    assert body["type"] == "UserAccountCreated"
    assert body["producer"] == "accounts-service"
    assert message.message_id == body["message_id"]
    assert message.correlation_id == "req-relay-1" == body["correlation_id"]
    assert message.type == "UserAccountCreated"
    assert message.content_type == "application/json"
    assert message.delivery_mode == 2  # persistent
    assert message.routing_key == "user.account_created.v1"
    assert message.headers["aggregate_version"] == 1
    assert message.app_id == "accounts-service"
    await eventually(
        lambda: unpublished(container.platform.engine, outbox),
        until=lambda n: n == 0,
        what="row marked sent",
    )


async def test_email_change_is_published_after_the_registration(
    client: httpx.AsyncClient, container: Container, amqp_url: str
) -> None:
    async with amqp(amqp_url) as channel:
        events = await capture(channel, ACCOUNTS_EXCHANGE, "user.*.v1")
        await register(client, "ada@example.com")
        token = (await login(client, "ada@example.com")).json()["access_token"]
        await client.put("/api/users/me", json={"email": "ada@lovelace.org"}, headers=bearer(token))
        first, second = await events.next(), await events.next()

    changed = json.loads(second.body)
    jsonschema.validate(changed, load_snapshot(UserEmailChanged))
    assert [first.type, second.type] == ["UserAccountCreated", "UserEmailChanged"]
    assert changed["aggregate_version"] == 2
    assert changed["payload"]["old_email"] == "ada@example.com"
    assert changed["payload"]["new_email"] == "ada@lovelace.org"
    assert UUID(changed["aggregate_id"]) == UUID(json.loads(first.body)["aggregate_id"])


async def test_the_service_declares_the_exchange_it_publishes_to(settings: Settings) -> None:
    # Alone on a fresh vhost, the relay's publishes (which only look the exchange up) would
    # fail if the service did not own it.
    declared = await exchange_declared_by(
        bootstrap, settings, ACCOUNTS_EXCHANGE, vhost_prefix="accounts_alone"
    )

    assert declared == ACCOUNTS_EXCHANGE
