"""Bad input through the gateway: a clear 4xx problem, never a 500, nothing half-written."""

import pytest
from taskboard_e2e import TaskboardClient

from .conftest import new_user, unique_email
from .test_user_journey import starter_project


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/api/users", {"json": {"email": "nope", "password": "password1"}}, 422),
        ("POST", "/api/users", {"json": {"email": "a@example.com", "password": "é" * 37}}, 422),
        (
            "POST",
            "/api/users",
            {"content": b"{oops", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        (
            "POST",
            "/api/users",
            {"content": b"email=a", "headers": {"Content-Type": "text/plain"}},
            415,
        ),
        (
            "POST",
            "/api/users/login",
            {"data": {"username": "x@example.com", "password": "x" * 100}},
            401,
        ),
    ],
)
async def test_bad_account_input(
    api: TaskboardClient,
    method: str,
    path: str,
    kwargs: dict,
    status: int,  # type: ignore[type-arg]
) -> None:
    response = await api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_taken_email_in_another_case_is_409(api: TaskboardClient) -> None:
    email = unique_email("taken")
    await api.register(email, "password1")
    response = await api.request(
        "POST", "/api/users", json={"email": email.upper(), "password": "password1"}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("method", "suffix", "body", "status"),
    [
        ("GET", "/not-a-uuid", None, 422),
        ("GET", "/{id}/tasks/0", None, 422),
        ("GET", "/{id}/tasks/-1", None, 422),
        ("GET", "/{id}/tasks/99999999999999999999", None, 422),
        ("GET", "/{id}/tasks/abc", None, 422),
        ("POST", "", {"name": "abc"}, 422),
        ("POST", "", {"name": "x" * 33}, 422),
        ("POST", "", {"name": 1234}, 422),
        ("POST", "", {"name": "Fine name", "maximum_number_of_incomplete_tasks": 0}, 422),
        ("POST", "/{id}/tasks", {"name": None}, 422),
        ("PUT", "/{id}", {"name": ["list"]}, 422),
    ],
)
async def test_bad_project_input(
    api: TaskboardClient, method: str, suffix: str, body: object, status: int
) -> None:
    user, _ = await new_user(api, "bad-input")
    project = await starter_project(user)

    response = await user.request(
        method, "/api/projects" + suffix.format(id=project["id"]), json=body
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await user.projects())["total"] == 1
