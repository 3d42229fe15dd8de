"""Every projects endpoint: no token 401, a bad token 401, another user's project 404."""

import pytest
from taskboard_e2e import TaskboardClient

from .conftest import new_user
from .test_user_journey import starter_project

ENDPOINTS = [
    ("GET", "/api/projects/{id}", None),
    ("PUT", "/api/projects/{id}", {"name": "Mine now"}),
    ("PUT", "/api/projects/{id}/archive", None),
    ("PUT", "/api/projects/{id}/unarchive", None),
    ("DELETE", "/api/projects/{id}", None),
    ("POST", "/api/projects/{id}/tasks", {"name": "Sneaky task"}),
    ("GET", "/api/projects/{id}/tasks", None),
    ("GET", "/api/projects/{id}/tasks/1", None),
    ("PUT", "/api/projects/{id}/tasks/1/complete", None),
    ("PUT", "/api/projects/{id}/tasks/1/incomplete", None),
]


async def test_another_users_project_is_404_everywhere_and_unchanged(api: TaskboardClient) -> None:
    owner, _ = await new_user(api, "owner")
    intruder, _ = await new_user(api, "intruder")
    project = await starter_project(owner)
    before = await owner.tasks(project["id"])

    for method, path, body in ENDPOINTS:
        response = await intruder.request(method, path.format(id=project["id"]), json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")

    assert (await owner.project(project["id"]))["name"] == "My first project"
    assert await owner.tasks(project["id"]) == before


@pytest.mark.parametrize("token", [None, "garbage", "eyJhbGciOiJub25lIn0.e30."])
async def test_without_a_valid_token_every_endpoint_is_401(
    api: TaskboardClient, token: str | None
) -> None:
    owner, _ = await new_user(api, "owner")
    project = await starter_project(owner)
    anonymous = api.as_user(token or "")

    for method, path, body in [
        *ENDPOINTS,
        ("GET", "/api/projects", None),
        ("GET", "/api/users/me", None),
    ]:
        response = await anonymous.request(method, path.format(id=project["id"]), json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
