"""Keyed registrations never hold a pooled connection while they wait for another one or
while they hash: more of them at once than the pool has connections all get their 201, and
the service answers other requests meanwhile."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app
from taskboard_testing import serving

# One connection in all: a request that held it while waiting for a second would wait for
# the pool's timeout (30 s) and answer 503. The fixed path needs well under a second.
POOL = {"database_pool_size": 1, "database_max_overflow": 0}
REGISTRATIONS = 4
DEADLINE_SECONDS = 20


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # Room in the hashing queue for every registration: refusing them is not under test.
    small = settings.model_copy(update={**POOL, "hashing_queue": 32})
    container = bootstrap(small)
    try:
        async with serving(create_app(container=container), "http://accounts") as client:
            yield client
    finally:
        await container.close()


async def test_more_keyed_registrations_than_connections_all_complete(
    one_connection: httpx.AsyncClient,
) -> None:
    async def register(n: int) -> httpx.Response:
        return await one_connection.post(
            "/api/users",
            json={"email": f"user{n}@example.com", "password": "password1"},
            headers={"Idempotency-Key": f"small-pool-{n}"},
        )

    async def log_in() -> httpx.Response:  # another request that needs the database
        return await one_connection.post(
            "/api/users/login", data={"username": "nobody@example.com", "password": "password1"}
        )

    async with asyncio.timeout(DEADLINE_SECONDS):
        *registrations, login = await asyncio.gather(
            *(register(n) for n in range(REGISTRATIONS)), log_in()
        )

    assert [r.status_code for r in registrations] == [201] * REGISTRATIONS, [
        r.text for r in registrations
    ]
    assert len({r.json()["id"] for r in registrations}) == REGISTRATIONS
    assert login.status_code == 401, login.text
