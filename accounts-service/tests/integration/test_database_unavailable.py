"""With PostgreSQL unreachable, every request that needs it answers 503 with Retry-After, as
problem+json: an outage, not a bug."""

from collections.abc import AsyncIterator

import httpx
import pytest

from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app
from taskboard_testing import refused_port, serving


@pytest.fixture
async def no_database(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with refused_port() as port:
        unreachable = settings.model_copy(
            update={"database_url": f"postgresql://postgres@127.0.0.1:{port}/taskboard"}
        )
        container = bootstrap(unreachable)
        try:
            async with serving(create_app(container=container), "http://accounts") as client:
                yield client
        finally:
            await container.close()


async def test_registration_login_and_me_answer_503(
    no_database: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    # A token from the real service: /users/me then needs only the (unreachable) database.
    await client.post("/api/users", json={"email": "ada@example.com", "password": "password1"})
    login = await client.post(
        "/api/users/login", data={"username": "ada@example.com", "password": "password1"}
    )
    token = login.json()["access_token"]

    responses = [
        await no_database.post(
            "/api/users", json={"email": "bob@example.com", "password": "password1"}
        ),
        await no_database.post(
            "/api/users/login", data={"username": "ada@example.com", "password": "password1"}
        ),
        await no_database.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}),
    ]

    for response in responses:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["type"] == "urn:taskboard:problem:database-unavailable"
