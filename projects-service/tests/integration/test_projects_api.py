"""``/api/projects`` in process on the real database."""

from typing import Any

import httpx

from projects.bootstrap import Container
from projects.infrastructure.persistence.tables import outbox

from .conftest import User
from .helpers import assert_problem, rows


async def create(client: httpx.AsyncClient, user: User, **body: Any) -> httpx.Response:
    return await client.post("/api/projects", json={"name": "Garden", **body}, headers=user.headers)


async def test_create_answers_201_with_the_project_and_its_location(
    client: httpx.AsyncClient, alice: User
) -> None:
    response = await create(client, alice, name="  Garden  ", maximum_number_of_incomplete_tasks=3)

    assert response.status_code == 201
    project = response.json()
    assert project == {
        "id": project["id"],
        "name": "Garden",
        "maximum_number_of_incomplete_tasks": 3,
        "archived": False,
        "archived_at": None,
        "number_of_tasks": 0,
        "number_of_completed_tasks": 0,
        "number_of_incomplete_tasks": 0,
    }
    assert response.headers["location"] == f"/api/projects/{project['id']}"
    fetched = await client.get(response.headers["location"], headers=alice.headers)
    assert fetched.json() == project


async def test_the_limit_is_optional_and_defaults_to_none(
    client: httpx.AsyncClient, alice: User
) -> None:
    response = await create(client, alice)
    assert response.json()["maximum_number_of_incomplete_tasks"] is None


async def test_list_is_paged_with_a_total_of_the_callers_projects(
    client: httpx.AsyncClient, alice: User, bob: User
) -> None:
    for n in range(3):
        await create(client, alice, name=f"Alice project {n}")
    await create(client, bob, name="Bob project")

    first = await client.get("/api/projects?limit=2", headers=alice.headers)
    second = await client.get("/api/projects?limit=2&offset=2", headers=alice.headers)

    assert first.status_code == 200
    assert [p["name"] for p in first.json()["projects"]] == ["Alice project 0", "Alice project 1"]
    assert (first.json()["total"], first.json()["limit"], first.json()["offset"]) == (3, 2, 0)
    assert [p["name"] for p in second.json()["projects"]] == ["Alice project 2"]
    default = (await client.get("/api/projects", headers=bob.headers)).json()
    assert (default["total"], default["limit"], default["offset"]) == (1, 20, 0)


async def test_update_renames_and_changes_or_keeps_the_limit(
    client: httpx.AsyncClient, alice: User
) -> None:
    project_id = (await create(client, alice, maximum_number_of_incomplete_tasks=5)).json()["id"]
    url = f"/api/projects/{project_id}"

    kept = await client.put(url, json={"name": "Big garden"}, headers=alice.headers)
    assert kept.status_code == 200
    assert (kept.json()["name"], kept.json()["maximum_number_of_incomplete_tasks"]) == (
        "Big garden",
        5,
    )

    changed = await client.put(
        url,
        json={"name": "Big garden", "maximum_number_of_incomplete_tasks": 2},
        headers=alice.headers,
    )
    assert changed.json()["maximum_number_of_incomplete_tasks"] == 2

    removed = await client.put(
        url,
        json={"name": "Big garden", "maximum_number_of_incomplete_tasks": None},
        headers=alice.headers,
    )
    assert removed.json()["maximum_number_of_incomplete_tasks"] is None


async def test_archive_needs_every_task_complete_then_unarchive(
    client: httpx.AsyncClient, alice: User
) -> None:
    project_id = (await create(client, alice)).json()["id"]
    url = f"/api/projects/{project_id}"
    await client.post(f"{url}/tasks", json={"name": "Dig beds"}, headers=alice.headers)

    refused = await client.put(f"{url}/archive", headers=alice.headers)
    assert_problem(refused, 409, "project-has-incomplete-tasks")

    await client.put(f"{url}/tasks/1/complete", headers=alice.headers)
    archived = await client.put(f"{url}/archive", headers=alice.headers)
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert archived.json()["archived_at"] is not None
    assert (await client.get(url, headers=alice.headers)).json()["archived"] is True

    unarchived = await client.put(f"{url}/unarchive", headers=alice.headers)
    assert unarchived.status_code == 200
    assert (unarchived.json()["archived"], unarchived.json()["archived_at"]) == (False, None)


async def test_delete_needs_archive_then_the_project_is_gone_everywhere(
    client: httpx.AsyncClient, alice: User
) -> None:
    project_id = (await create(client, alice)).json()["id"]
    url = f"/api/projects/{project_id}"

    assert_problem(await client.delete(url, headers=alice.headers), 409, "project-not-archived")
    await client.put(f"{url}/archive", headers=alice.headers)
    deleted = await client.delete(url, headers=alice.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""

    h = alice.headers
    for response in [
        await client.get(url, headers=h),
        await client.put(url, json={"name": "Resurrect"}, headers=h),
        await client.put(f"{url}/archive", headers=h),
        await client.put(f"{url}/unarchive", headers=h),
        await client.delete(url, headers=h),
        await client.get(f"{url}/tasks", headers=h),
        await client.post(f"{url}/tasks", json={"name": "Ghost task"}, headers=h),
    ]:
        assert_problem(response, 404, "project-not-found")
    listed = (await client.get("/api/projects", headers=h)).json()
    assert (listed["projects"], listed["total"]) == ([], 0)


async def test_every_state_change_is_in_the_outbox(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    project_id = (await create(client, alice)).json()["id"]
    url = f"/api/projects/{project_id}"
    await client.put(url, json={"name": "Renamed one"}, headers=alice.headers)
    await client.put(f"{url}/archive", headers=alice.headers)
    await client.put(f"{url}/unarchive", headers=alice.headers)
    await client.put(f"{url}/archive", headers=alice.headers)
    await client.delete(url, headers=alice.headers)

    events = sorted((r.aggregate_version, r.message_type) for r in await rows(container, outbox))
    assert events == [
        (1, "ProjectCreated"),
        (2, "ProjectRenamed"),
        (3, "ProjectArchived"),
        (4, "ProjectUnarchived"),
        (5, "ProjectArchived"),
        (6, "ProjectDeleted"),
    ]


async def test_the_request_id_becomes_the_events_correlation_id(
    client: httpx.AsyncClient, container: Container, alice: User
) -> None:
    response = await client.post(
        "/api/projects",
        json={"name": "Traced"},
        headers={**alice.headers, "X-Request-ID": "trace-123"},
    )
    assert response.headers["x-request-id"] == "trace-123"
    [row] = await rows(container, outbox)
    assert row.correlation_id == "trace-123"
