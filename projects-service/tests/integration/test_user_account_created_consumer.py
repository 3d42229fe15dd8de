"""Consumer side, over the real broker: every new account gets its starter project, once."""

import asyncio
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID, uuid4

import httpx
import jsonschema
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis.messaging.inbox import first_delivery
from contracts import (
    ACCOUNTS_EXCHANGE,
    PROJECTS_EXCHANGE,
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    Envelope,
    ProjectCreated,
    UserAccountCreated,
    example,
    load_snapshot,
)
from projects.bootstrap import Container
from projects.domain.starter_project import starter_project_id
from projects.entrypoints.messaging.user_account_created import CONSUMER
from projects.infrastructure.persistence import unit_of_work as uow_module
from projects.infrastructure.persistence.tables import inbox, outbox, projects, tasks
from taskboard_testing import eventually, rabbitmqctl
from taskboard_testing.amqp import amqp, capture, publish_envelope
from tests.stand_in_accounts import StandInAccounts

QUEUE = PROJECTS_USER_ACCOUNT_CREATED_QUEUE
ROUTING_KEY = UserAccountCreated.routing_key()
STARTER_TASKS = [
    (1, "Sign up!", True),
    (2, "Watch the tutorial", False),
    (3, "Start using our awesome app", False),
]


def account_created(user_id: UUID | None = None, message_id: UUID | None = None) -> dict[str, Any]:
    """A UserAccountCreated as accounts-service's relay publishes it."""
    user_id = user_id or uuid4()
    return Envelope.wrap(
        UserAccountCreated(user_id=user_id, email=f"user-{user_id.hex[:8]}@example.com"),
        message_id=message_id or uuid4(),
        occurred_at=datetime.now(UTC),
        producer="accounts-service",
        correlation_id="test",
        aggregate_id=user_id,
        aggregate_version=1,
    ).model_dump(mode="json")


async def send(amqp_url: str, *bodies: dict[str, Any] | bytes, message_id: str = "") -> None:
    async with amqp(amqp_url) as channel:
        for body in bodies:
            await publish_envelope(
                channel, ACCOUNTS_EXCHANGE, body, routing_key=ROUTING_KEY, message_id=message_id
            )


async def projects_of(
    client: httpx.AsyncClient, accounts: StandInAccounts, user_id: UUID
) -> list[dict[str, Any]]:
    """The user's projects, read over HTTP with a token for that user."""
    response = await client.get("/api/projects", headers=bearer(accounts, user_id))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["projects"]
    return found


def bearer(accounts: StandInAccounts, user_id: UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.token(user_id)}"}


async def starter_of(
    client: httpx.AsyncClient, accounts: StandInAccounts, user_id: UUID
) -> tuple[dict[str, Any], list[tuple[int, str, bool]]]:
    """Waits for the user's one project; returns it with its tasks (number, name, done)."""
    [project] = await eventually(
        lambda: projects_of(client, accounts, user_id), until=bool, what="the starter project"
    )
    response = await client.get(
        f"/api/projects/{project['id']}/tasks", headers=bearer(accounts, user_id)
    )
    listed = [
        (t["number"], t["name"], t["completed_at"] is not None) for t in response.json()["tasks"]
    ]
    return project, listed


async def count(container: Container, query: Any) -> int:
    async with container.platform.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


def inbox_rows(container: Container) -> Callable[[], Any]:
    return lambda: count(container, select(func.count()).select_from(inbox))


async def effects_of(container: Container, user_id: UUID) -> tuple[int, int, int]:
    """(projects, tasks, ProjectCreated outbox rows) of the user."""
    owned = select(projects.c.id).where(projects.c.owner_id == user_id)
    return (
        await count(container, select(func.count()).where(projects.c.id.in_(owned))),
        await count(container, select(func.count()).where(tasks.c.project_id.in_(owned))),
        await count(
            container,
            select(func.count()).where(
                outbox.c.aggregate_id.in_(owned), outbox.c.message_type == "ProjectCreated"
            ),
        ),
    )


async def messages_in_consumer_queues(amqp_url: str) -> int:
    """Ready plus unacknowledged messages in the work and retry queues (rabbitmqctl)."""
    vhost = unquote(urlsplit(amqp_url).path[1:])
    listing = await asyncio.to_thread(
        rabbitmqctl, "list_queues", "-p", vhost, "name", "messages", "--quiet", "--no-table-headers"
    )
    depths = dict(line.split() for line in listing.splitlines() if line.strip())
    return int(depths[QUEUE.name]) + int(depths[QUEUE.retry_queue])


async def test_the_contract_example_gives_its_user_the_starter_project(
    client: httpx.AsyncClient, accounts: StandInAccounts, amqp_url: str
) -> None:
    registered = example(UserAccountCreated)
    user_id = registered.payload.user_id

    async with amqp(amqp_url) as channel:
        events = await capture(channel, PROJECTS_EXCHANGE, ProjectCreated.routing_key())
        await send(amqp_url, registered.model_dump(mode="json"))
        project, listed = await starter_of(client, accounts, user_id)
        published = await events.next()

    assert project["name"] == "My first project"
    assert project["id"] == str(starter_project_id(user_id))
    assert (project["number_of_tasks"], project["number_of_completed_tasks"]) == (3, 1)
    assert listed == STARTER_TASKS
    # Its ProjectCreated went out through the outbox, correlated to the registration message.
    body = json.loads(published.body)
    jsonschema.validate(body, load_snapshot(ProjectCreated))
    assert body["payload"] == {
        "project_id": project["id"],
        "owner_id": str(user_id),
        "name": "My first project",
        "maximum_number_of_incomplete_tasks": None,
    }
    assert body["correlation_id"] == str(registered.message_id) == published.correlation_id


async def test_a_fresh_account_gets_its_starter_project_and_an_inbox_row(
    client: httpx.AsyncClient, container: Container, accounts: StandInAccounts, amqp_url: str
) -> None:
    message = account_created()
    user_id = UUID(message["payload"]["user_id"])

    await send(amqp_url, message)
    _, listed = await starter_of(client, accounts, user_id)

    assert listed == STARTER_TASKS
    assert await effects_of(container, user_id) == (1, 3, 1)
    async with container.platform.engine.connect() as connection:
        [row] = (await connection.execute(select(inbox))).all()
    assert (row.consumer, str(row.message_id), row.message_type) == (
        CONSUMER.name,
        message["message_id"],
        "UserAccountCreated",
    )


async def test_the_same_message_delivered_twice_creates_one_starter_project(
    client: httpx.AsyncClient, container: Container, accounts: StandInAccounts, amqp_url: str
) -> None:
    message = account_created()
    user_id = UUID(message["payload"]["user_id"])

    await send(amqp_url, message, message)
    await starter_of(client, accounts, user_id)
    await eventually(
        lambda: messages_in_consumer_queues(amqp_url),
        until=lambda n: n == 0,
        what="both deliveries acknowledged",
    )

    assert await effects_of(container, user_id) == (1, 3, 1)
    assert await inbox_rows(container)() == 1


async def test_two_messages_for_one_account_still_give_one_starter_project(
    client: httpx.AsyncClient, container: Container, accounts: StandInAccounts, amqp_url: str
) -> None:
    user_id = uuid4()

    await send(amqp_url, account_created(user_id), account_created(user_id))
    await eventually(inbox_rows(container), until=lambda n: n == 2, what="both applied")

    assert await effects_of(container, user_id) == (1, 3, 1)
    assert len(await projects_of(client, accounts, user_id)) == 1


async def test_racing_messages_for_one_account_commit_one_project_and_both_inbox_rows(
    container: Container,
) -> None:
    # Deterministic race, without the broker: the second transaction inserts the same
    # (derived) project id while the first still holds it uncommitted.
    user_id = uuid4()
    first_message, second_message = (
        Envelope[UserAccountCreated].model_validate(account_created(user_id)) for _ in range(2)
    )

    async def deliver(envelope: Envelope[Any]) -> None:
        async with container.platform.engine.begin() as connection:
            await apply(container, connection, envelope)

    async with container.platform.engine.connect() as connection:
        async with connection.begin():
            await apply(container, connection, first_message)
            second = asyncio.create_task(deliver(second_message))
            await eventually(blocked_writers(container), until=lambda n: n == 1, what="blocked")
        await second  # the first has committed; the second must not fail

    assert await effects_of(container, user_id) == (1, 3, 1)
    assert await inbox_rows(container)() == 2


async def apply(container: Container, connection: AsyncConnection, envelope: Envelope[Any]) -> None:
    """What the reliable consumer does with a delivery inside its transaction."""
    assert await first_delivery(
        connection,
        inbox,
        consumer=CONSUMER.name,
        message_id=envelope.message_id,
        message_type=envelope.type,
    )
    await CONSUMER.apply(container, envelope, connection)


def blocked_writers(container: Container) -> Callable[[], Any]:
    """How many sessions of the test database wait for a lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return lambda: count(container, query)


async def test_a_failed_attempt_leaves_nothing_and_the_retry_applies_it_once(
    client: httpx.AsyncClient,
    container: Container,
    accounts: StandInAccounts,
    amqp_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first attempt fails after the project and its tasks were flushed, while writing the
    # outbox row: if the inbox row or the project survived it, the retry would create nothing.
    real_contract = uow_module.PROJECT_EVENTS.contract
    calls = 0

    def fails_once(event: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("outbox write failed")
        return real_contract(event)

    failing = dataclasses.replace(uow_module.PROJECT_EVENTS, contract=fails_once)
    monkeypatch.setattr(uow_module, "PROJECT_EVENTS", failing)
    message = account_created()
    user_id = UUID(message["payload"]["user_id"])

    await send(amqp_url, message)
    _, listed = await starter_of(client, accounts, user_id)

    assert calls == 2
    assert listed == STARTER_TASKS
    assert await effects_of(container, user_id) == (1, 3, 1)
    assert await inbox_rows(container)() == 1
