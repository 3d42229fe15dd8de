"""Consumer side, over the real broker: project events keep ``/users/me`` in step."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import func, select

from accounts.bootstrap import Container
from accounts.infrastructure.persistence.tables import inbox, user_projects
from contracts import (
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
    PROJECTS_EXCHANGE,
    Envelope,
    IntegrationEvent,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    examples,
)
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, publish_envelope

from .test_users_api import bearer, token_for


def envelope(
    event: IntegrationEvent, version: int, message_id: UUID | None = None
) -> dict[str, Any]:
    project_id = getattr(event, "project_id")  # noqa: B009 - every project event has one
    return Envelope.wrap(
        event,
        message_id=message_id or uuid4(),
        occurred_at=datetime.now(UTC),
        producer="projects-service",
        correlation_id="test",
        aggregate_id=project_id,
        aggregate_version=version,
    ).model_dump(mode="json")


async def send(
    amqp_url: str, *bodies: dict[str, Any] | bytes, routing_key: str | None = None
) -> None:
    async with amqp(amqp_url) as channel:
        for body in bodies:
            key = routing_key or _routing_key(body)
            await publish_envelope(channel, PROJECTS_EXCHANGE, body, routing_key=key)


def _routing_key(body: dict[str, Any] | bytes) -> str:
    assert isinstance(body, dict)
    events = {e.type_name(): e for e in ACCOUNTS_PROJECT_EVENTS_QUEUE.events}
    return events[body["type"]].routing_key()


async def me(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.get("/api/users/me", headers=bearer(token))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def a_user(client: httpx.AsyncClient) -> tuple[str, UUID]:
    token = await token_for(client, f"user-{uuid4().hex[:8]}@example.com")
    return token, UUID((await me(client, token))["id"])


async def inbox_rows(container: Container) -> int:
    async with container.platform.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(inbox))).scalar_one()


async def test_created_renamed_deleted_flow_into_users_me(
    client: httpx.AsyncClient, amqp_url: str
) -> None:
    token, user_id = await a_user(client)
    project_id = uuid4()

    await send(
        amqp_url, envelope(ProjectCreated(project_id=project_id, owner_id=user_id, name="Work"), 1)
    )
    listed = await eventually(lambda: me(client, token), until=lambda m: m["projects"] != [])
    assert listed["projects"] == [{"id": str(project_id), "name": "Work"}]

    await send(
        amqp_url, envelope(ProjectRenamed(project_id=project_id, owner_id=user_id, name="Job"), 2)
    )
    await eventually(
        lambda: me(client, token), until=lambda m: m["projects"][0]["name"] == "Job", what="rename"
    )

    await send(
        amqp_url,
        envelope(ProjectArchived(project_id=project_id, owner_id=user_id), 3),
        envelope(ProjectDeleted(project_id=project_id, owner_id=user_id), 4),
    )
    await eventually(lambda: me(client, token), until=lambda m: m["projects"] == [], what="delete")


async def test_each_contract_example_applies_to_the_projection(
    container: Container, amqp_url: str
) -> None:
    project_events = [e for e in examples() if e.type.startswith("Project")]
    assert [e.type for e in project_events] == [
        "ProjectCreated",
        "ProjectRenamed",
        "ProjectArchived",
        "ProjectUnarchived",
        "ProjectDeleted",
    ]

    async def projected() -> Any:
        async with container.platform.engine.connect() as connection:
            return (await connection.execute(select(user_projects))).one_or_none()

    name = None
    for example_envelope in project_events:
        await send(amqp_url, example_envelope.model_dump(mode="json"))
        name = getattr(example_envelope.payload, "name", name)
        row = await eventually(
            projected,
            until=lambda r, v=example_envelope.aggregate_version: (
                r is not None and r.project_version == v
            ),
            what=f"{example_envelope.type} applied",
        )
        assert row.name == name
        assert row.user_id == example_envelope.payload.owner_id
        assert row.deleted is (example_envelope.type == "ProjectDeleted")


async def test_the_same_message_delivered_twice_has_one_effect(
    client: httpx.AsyncClient, container: Container, amqp_url: str
) -> None:
    token, user_id = await a_user(client)
    project_id, message_id = uuid4(), uuid4()
    created = envelope(
        ProjectCreated(project_id=project_id, owner_id=user_id, name="Once"), 1, message_id
    )
    renamed = envelope(ProjectRenamed(project_id=project_id, owner_id=user_id, name="Twice"), 2)

    await send(amqp_url, created, renamed, created)  # the duplicate comes after a newer change
    await eventually(lambda: inbox_rows(container), until=lambda n: n == 2, what="both applied")
    marker = envelope(ProjectCreated(project_id=uuid4(), owner_id=user_id, name="Marker"), 1)
    await send(amqp_url, marker)  # processed after the duplicate: prefetch keeps order here
    await eventually(lambda: me(client, token), until=lambda m: len(m["projects"]) == 2)

    assert await inbox_rows(container) == 3
    names = sorted(p["name"] for p in (await me(client, token))["projects"])
    assert names == ["Marker", "Twice"]


async def test_an_older_event_never_overwrites_a_newer_one(
    client: httpx.AsyncClient, container: Container, amqp_url: str
) -> None:
    token, user_id = await a_user(client)
    project_id = uuid4()

    # Out of order: archived (v3) and renamed (v2) overtake created (v1).
    await send(
        amqp_url,
        envelope(ProjectArchived(project_id=project_id, owner_id=user_id), 3),
        envelope(ProjectRenamed(project_id=project_id, owner_id=user_id, name="Newest"), 2),
        envelope(ProjectCreated(project_id=project_id, owner_id=user_id, name="Oldest"), 1),
    )
    await eventually(lambda: inbox_rows(container), until=lambda n: n == 3, what="all applied")

    async with container.platform.engine.connect() as connection:
        row = (await connection.execute(select(user_projects))).one()
    assert (row.name, row.project_version, row.deleted) == ("Newest", 3, False)
    assert (await me(client, token))["projects"] == [{"id": str(project_id), "name": "Newest"}]
