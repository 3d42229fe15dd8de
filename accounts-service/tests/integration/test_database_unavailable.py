"""With PostgreSQL unreachable, every request that needs it answers 503 with Retry-After, as
problem+json: an outage, not a bug."""

import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port nothing listens on (bound, never listening: connections are refused)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture
async def no_database(settings: Settings, closed_port: int) -> AsyncIterator[httpx.AsyncClient]:
    unreachable = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{closed_port}/taskboard"}
    )
    container = bootstrap(unreachable)
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c,
        ):
            yield c
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
