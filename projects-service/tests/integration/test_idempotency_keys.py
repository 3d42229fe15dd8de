"""``Idempotency-Key`` on the POSTs that create a project or a task, on the real database."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text

from projects.bootstrap import Container
from projects.infrastructure.persistence.tables import idempotency_keys, outbox, projects, tasks

from .conftest import User
from .helpers import assert_problem, count, rows, stored_project


def keyed(user: User, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


async def test_a_repeat_gets_the_first_response_without_a_second_project(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    body = {"name": "Garden", "maximum_number_of_incomplete_tasks": 2}
    first = await client.post("/api/projects", json=body, headers=keyed(alice, "k-1"))
    again = await client.post("/api/projects", json=body, headers=keyed(alice, "k-1"))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(container, projects) == 1
    assert await count(container, outbox) == 1  # one ProjectCreated


async def test_the_key_is_kept_at_least_a_day_in_the_transaction_of_the_effect(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    await client.post("/api/projects", json={"name": "Garden"}, headers=keyed(alice, "k-2"))
    [row] = await rows(container, idempotency_keys)
    assert (row.caller, row.key, row.status_code) == (str(alice.id), "k-2", 201)
    assert row.expires_at - row.created_at >= timedelta(hours=24)


async def test_the_same_key_with_another_body_is_refused_with_422(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    await client.post("/api/projects", json={"name": "Garden"}, headers=keyed(alice, "k-3"))
    other = await client.post(
        "/api/projects", json={"name": "Orchard"}, headers=keyed(alice, "k-3")
    )

    assert_problem(other, 422, "idempotency-key-reused")
    assert await count(container, projects) == 1


async def test_keys_are_per_caller(
    client: httpx.AsyncClient, container: Container, alice: User, bob: User
) -> None:
    body = {"name": "Garden"}
    mine = await client.post("/api/projects", json=body, headers=keyed(alice, "shared"))
    theirs = await client.post("/api/projects", json=body, headers=keyed(bob, "shared"))

    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert await count(container, projects) == 2


async def test_a_failed_request_is_not_kept_and_may_be_retried_with_its_key(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id, limit=1, tasks=1)
    path = f"/api/projects/{project.id}/tasks"
    full = await client.post(path, json={"name": "One more"}, headers=keyed(alice, "k-4"))
    assert_problem(full, 409)
    assert await count(container, idempotency_keys) == 0

    await client.put(f"{path}/1/complete", headers=alice.headers)
    retried = await client.post(path, json={"name": "One more"}, headers=keyed(alice, "k-4"))
    assert retried.status_code == 201


async def test_a_task_is_created_once_per_key(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id)
    path = f"/api/projects/{project.id}/tasks"
    first = await client.post(path, json={"name": "Dig the beds"}, headers=keyed(alice, "t-1"))
    again = await client.post(path, json={"name": "Dig the beds"}, headers=keyed(alice, "t-1"))
    other = await client.post(path, json={"name": "Dig the beds"}, headers=keyed(alice, "t-2"))

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"] == f"{path}/1"
    assert other.json()["number"] == 2
    assert await count(container, tasks) == 2


async def test_a_repeat_while_the_first_still_runs_is_refused_with_409(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id)
    path = f"/api/projects/{project.id}/tasks"
    body: dict[str, Any] = {"name": "Dig the beds"}
    async with container.platform.engine.connect() as blocker, blocker.begin():
        # Another writer holds the project: the first request waits for it, key taken.
        await blocker.execute(
            text("SELECT 1 FROM projects.projects WHERE id = :id FOR UPDATE"), {"id": project.id}
        )
        first = asyncio.create_task(client.post(path, json=body, headers=keyed(alice, "t-3")))
        await _waiting_for_a_lock(container)
        second = await client.post(path, json=body, headers=keyed(alice, "t-3"))
        assert_problem(second, 409, "idempotency-key-in-use")
    assert (await first).status_code == 201
    assert await count(container, tasks) == 1


async def _waiting_for_a_lock(container: Container) -> None:
    deadline = asyncio.get_running_loop().time() + 15
    while asyncio.get_running_loop().time() < deadline:
        async with container.platform.engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the first request never waited for the project's lock")


async def test_the_openapi_documents_the_header_on_the_creating_posts(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/projects", "/api/projects/{project_id}/tasks"):
        parameters = spec["paths"][path]["post"]["parameters"]
        header = next(p for p in parameters if p["name"] == "Idempotency-Key")
        assert header["in"] == "header"
        assert not header.get("required", False)
        assert "409" in spec["paths"][path]["post"]["responses"]
        assert "422" in spec["paths"][path]["post"]["responses"]
