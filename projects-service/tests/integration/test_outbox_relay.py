"""Producer side, over the real broker: what the relay actually publishes."""

import json
from typing import Any
from uuid import UUID

import httpx
import jsonschema

from contracts import (
    PROJECTS_EXCHANGE,
    IntegrationEvent,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
    load_snapshot,
)
from projects.bootstrap import Container, bootstrap
from projects.config import Settings
from projects.infrastructure.persistence.tables import outbox
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, capture, exchange_declared_by
from taskboard_testing.tables import unpublished

from .conftest import User
from .helpers import rows


async def test_each_project_change_is_published_with_the_contract_body_and_amqp_properties(
    client: httpx.AsyncClient, container: Container, amqp_url: str, alice: User
) -> None:
    async def create() -> httpx.Response:
        return await client.post(
            "/api/projects",
            json={"name": "Garden", "maximum_number_of_incomplete_tasks": 3},
            headers={**alice.headers, "X-Request-ID": "req-1"},
        )

    async with amqp(amqp_url) as channel:
        events = await capture(channel, PROJECTS_EXCHANGE, "project.*.v1")
        created = await create()
        first = await events.next()  # in time only if NOTIFY woke the relay (poll: 60 s)
        project_id = created.json()["id"]
        url = f"/api/projects/{project_id}"
        changes = [
            lambda h: client.put(url, json={"name": "Big garden"}, headers=h),
            lambda h: client.put(f"{url}/archive", headers=h),
            lambda h: client.put(f"{url}/unarchive", headers=h),
            lambda h: client.put(f"{url}/archive", headers=h),
            lambda h: client.delete(url, headers=h),
        ]
        received = [first]
        # One change at a time, each awaited on the broker: the order is the commit order.
        for number, change in enumerate(changes, start=2):
            response = await change({**alice.headers, "X-Request-ID": f"req-{number}"})
            assert response.status_code in {200, 204}, response.text
            received.append(await events.next())
        await eventually(
            lambda: unpublished(container.platform.engine, outbox),
            until=lambda n: n == 0,
            what="rows sent",
        )
        extra = await events.drain()

    sent = {(r.message_id, r.attempts) for r in await rows(container, outbox)}
    assert sent == {(UUID(m.message_id or ""), 1) for m in received}
    expected: list[tuple[type[IntegrationEvent], dict[str, Any]]] = [
        (ProjectCreated, {"name": "Garden", "maximum_number_of_incomplete_tasks": 3}),
        (ProjectRenamed, {"name": "Big garden"}),
        (ProjectArchived, {}),
        (ProjectUnarchived, {}),
        (ProjectArchived, {}),
        (ProjectDeleted, {}),
    ]
    assert len(received) == len(expected)
    assert extra == []
    for version, (message, (event, fields)) in enumerate(zip(received, expected, strict=True), 1):
        body = json.loads(message.body)
        jsonschema.validate(body, load_snapshot(event))
        assert body["type"] == event.type_name() == message.type
        assert body["payload"] == {"project_id": project_id, "owner_id": str(alice.id), **fields}
        assert body["producer"] == "projects-service"
        assert body["aggregate_id"] == project_id
        assert body["aggregate_version"] == version
        assert message.message_id == body["message_id"]
        assert message.correlation_id == f"req-{version}" == body["correlation_id"]
        assert message.content_type == "application/json"
        assert message.delivery_mode == 2  # persistent
        assert message.routing_key == event.routing_key()
        assert message.app_id == "projects-service"
        assert message.headers["aggregate_id"] == project_id
        assert message.headers["aggregate_version"] == version
        assert message.headers["event_version"] == event.major_version


async def test_the_service_declares_the_exchange_it_publishes_to(settings: Settings) -> None:
    # Alone on a fresh vhost, the relay's publishes (which only look the exchange up) would
    # fail if the service did not own it.
    declared = await exchange_declared_by(
        bootstrap, settings, PROJECTS_EXCHANGE, vhost_prefix="projects_alone"
    )

    assert declared == PROJECTS_EXCHANGE
