"""With PostgreSQL unreachable, every request that needs it answers 503 with Retry-After, as
problem+json: an outage, not a bug."""

from collections.abc import AsyncIterator

import httpx
import pytest

from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.http.app import create_app
from projects.infrastructure.security.jwks import HttpJwksFetcher
from taskboard_testing import refused_port, serving
from tests.stand_in_accounts import StandInAccounts

from .conftest import User


@pytest.fixture
async def no_database(
    settings: Settings, accounts: StandInAccounts
) -> AsyncIterator[httpx.AsyncClient]:
    with refused_port() as port:
        unreachable = settings.model_copy(
            update={"database_url": f"postgresql://postgres@127.0.0.1:{port}/taskboard"}
        )
        fetcher = HttpJwksFetcher(unreachable.jwks_url, transport=accounts.transport())
        container = bootstrap(unreachable, jwks_fetcher=fetcher)
        try:
            async with serving(create_app(container=container), "http://projects") as client:
                yield client
        finally:
            await container.close()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/projects", None),  # the read pool
        ("GET", "/api/projects/00000000-0000-0000-0000-000000000001/tasks", None),
        ("POST", "/api/projects", {"name": "Unreachable"}),  # the unit of work
    ],
)
async def test_requests_needing_the_database_answer_503(
    no_database: httpx.AsyncClient, alice: User, method: str, path: str, body: object
) -> None:
    response = await no_database.request(method, path, json=body, headers=alice.headers)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:taskboard:problem:database-unavailable"
