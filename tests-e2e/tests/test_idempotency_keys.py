"""A client that retries its POST with the same ``Idempotency-Key``, through the gateway, gets
the first answer again and makes one thing, not two."""

import uuid
from typing import Any

from taskboard_e2e import TaskboardClient

from taskboard_testing import eventually

from .conftest import PASSWORD, new_user, unique_email

STARTER = "My first project"


async def test_a_keyed_project_creation_retried_gets_the_same_201_and_makes_one_project(
    api: TaskboardClient,
) -> None:
    user, _ = await new_user(api, "idempotent")
    # The starter project arrives through RabbitMQ: wait for it, so the count below is ours.
    await eventually(
        user.projects,
        until=lambda listing: [p["name"] for p in listing["projects"]] == [STARTER],
        what="the starter project",
        timeout=30,
    )
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    body: dict[str, Any] = {"name": "Kept once", "maximum_number_of_incomplete_tasks": 3}

    first = await user.request("POST", "/api/projects", json=body, headers=headers)
    retried = await user.request("POST", "/api/projects", json=body, headers=headers)

    assert (first.status_code, retried.status_code) == (201, 201), retried.text
    assert retried.json() == first.json()
    assert retried.headers["location"] == first.headers["location"]
    assert retried.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listing = await user.projects()
    assert sorted(p["name"] for p in listing["projects"]) == ["Kept once", STARTER]
    assert listing["total"] == 2

    other = await user.request(
        "POST", "/api/projects", json={**body, "name": "Not the same"}, headers=headers
    )
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")


async def test_a_keyed_registration_retried_gets_the_same_201_and_one_account(
    api: TaskboardClient,
) -> None:
    body = {"email": unique_email("keyed"), "password": PASSWORD}
    headers = {"Idempotency-Key": str(uuid.uuid4())}

    first = await api.request("POST", "/api/users", json=body, headers=headers)
    retried = await api.request("POST", "/api/users", json=body, headers=headers)
    wrong = await api.request(
        "POST", "/api/users", json={**body, "password": PASSWORD + "!"}, headers=headers
    )

    assert (first.status_code, retried.status_code) == (201, 201), retried.text
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert wrong.status_code == 422
    await api.as_user("").login(body["email"], PASSWORD)
