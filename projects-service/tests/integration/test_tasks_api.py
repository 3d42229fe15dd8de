"""``/api/projects/{id}/tasks`` in process on the real database."""

import httpx
import pytest

from .conftest import User
from .helpers import assert_problem


@pytest.fixture
async def project_url(client: httpx.AsyncClient, alice: User) -> str:
    response = await client.post(
        "/api/projects",
        json={"name": "Garden", "maximum_number_of_incomplete_tasks": 2},
        headers=alice.headers,
    )
    return str(response.headers["location"])


async def add(client: httpx.AsyncClient, url: str, user: User, name: str) -> httpx.Response:
    return await client.post(f"{url}/tasks", json={"name": name}, headers=user.headers)


async def test_tasks_are_numbered_and_located(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    first = await add(client, project_url, alice, "Dig beds")
    second = await add(client, project_url, alice, "Sow seeds")

    assert first.status_code == 201
    assert first.json() == {"number": 1, "name": "Dig beds", "completed_at": None}
    assert first.headers["location"] == f"{project_url}/tasks/1"
    assert second.json()["number"] == 2
    detail = await client.get(second.headers["location"], headers=alice.headers)
    assert detail.json() == {"number": 2, "name": "Sow seeds", "completed_at": None}
    listed = await client.get(f"{project_url}/tasks", headers=alice.headers)
    assert [t["name"] for t in listed.json()["tasks"]] == ["Dig beds", "Sow seeds"]
    project = (await client.get(project_url, headers=alice.headers)).json()
    assert (project["number_of_tasks"], project["number_of_incomplete_tasks"]) == (2, 2)


async def test_adding_beyond_the_limit_is_409(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    await add(client, project_url, alice, "First task")
    await add(client, project_url, alice, "Second task")

    refused = await add(client, project_url, alice, "Third task")

    assert_problem(refused, 409, "max-incomplete-tasks-number-is-reached")
    tasks = (await client.get(f"{project_url}/tasks", headers=alice.headers)).json()["tasks"]
    assert len(tasks) == 2


async def test_complete_is_idempotent_and_keeps_the_first_time(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    await add(client, project_url, alice, "Dig beds")

    first = await client.put(f"{project_url}/tasks/1/complete", headers=alice.headers)
    again = await client.put(f"{project_url}/tasks/1/complete", headers=alice.headers)

    assert first.status_code == again.status_code == 200
    assert first.json()["completed_at"] is not None
    assert again.json()["completed_at"] == first.json()["completed_at"]


async def test_incomplete_reopens_unless_that_exceeds_the_limit(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    for name in ["First task", "Second task"]:
        await add(client, project_url, alice, name)
    await client.put(f"{project_url}/tasks/1/complete", headers=alice.headers)
    await add(client, project_url, alice, "Third task")  # two open again: the limit

    assert_problem(
        await client.put(f"{project_url}/tasks/1/incomplete", headers=alice.headers),
        409,
        "max-incomplete-tasks-number-is-reached",
    )
    await client.put(f"{project_url}/tasks/2/complete", headers=alice.headers)
    reopened = await client.put(f"{project_url}/tasks/1/incomplete", headers=alice.headers)
    assert reopened.status_code == 200
    assert reopened.json() == {"number": 1, "name": "First task", "completed_at": None}
    open_again = await client.put(f"{project_url}/tasks/3/incomplete", headers=alice.headers)
    assert open_again.status_code == 200  # re-opening an open task is a no-op


async def test_tasks_of_an_archived_project_cannot_change(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    await add(client, project_url, alice, "Dig beds")
    await client.put(f"{project_url}/tasks/1/complete", headers=alice.headers)
    await client.put(f"{project_url}/archive", headers=alice.headers)

    for response in [
        await add(client, project_url, alice, "Too late"),
        await client.put(f"{project_url}/tasks/1/complete", headers=alice.headers),
        await client.put(f"{project_url}/tasks/1/incomplete", headers=alice.headers),
    ]:
        assert_problem(response, 409, "project-archived")
    listed = await client.get(f"{project_url}/tasks", headers=alice.headers)
    assert listed.status_code == 200
    assert len(listed.json()["tasks"]) == 1


async def test_a_missing_task_is_404(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    await add(client, project_url, alice, "Only task")
    for response in [
        await client.get(f"{project_url}/tasks/2", headers=alice.headers),
        await client.put(f"{project_url}/tasks/2/complete", headers=alice.headers),
        await client.put(f"{project_url}/tasks/2/incomplete", headers=alice.headers),
    ]:
        assert_problem(response, 404, "task-not-found")
