"""Several replicas per service: requests take turns, a replica that refuses connections is
left alone for a while and then tried again, and a request that could not be sent anywhere
yet goes to another replica whatever its method."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from taskboard_testing import eventually
from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn, refused_address, revivable_address, serve


@pytest_asyncio.fixture
async def second_projects() -> AsyncIterator[StandIn]:
    service = StandIn("projects-2", "/api/projects")
    async with serve(service.app()) as url:
        service.url = url
        yield service


async def test_requests_take_turns_over_the_replicas(
    start_gateway: GatewayFactory,
    client: aiohttp.ClientSession,
    projects: StandIn,
    second_projects: StandIn,
) -> None:
    async with start_gateway(projects_urls=[projects.url, second_projects.url]) as gateway:
        for _ in range(10):
            async with client.get(gateway + "/api/projects") as response:
                assert response.status == 200
    assert (len(projects.seen), len(second_projects.seen)) == (5, 5)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 1000):
        yield data[start : start + 1000]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_a_refused_connection_sends_any_request_to_another_replica(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn, method: str
) -> None:
    async with refused_address() as down, start_gateway(accounts_urls=[down, accounts.url]) as gw:
        for _ in range(4):
            async with client.request(method, gw + "/api/users/me") as response:
                assert response.status == 200
        # A body, small (read whole) or streamed, is not lost on the way.
        async with client.post(gw + "/api/users/echo", data=b"x" * 5000) as response:
            assert await response.read() == b"x" * 5000
        async with client.post(gw + "/api/users/echo", data=_chunks(b"y" * 200_000)) as response:
            assert await response.read() == b"y" * 200_000
    assert len(accounts.seen) == 6


async def test_a_refusing_replica_rests_for_the_cooldown_then_gets_requests_again(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, projects: StandIn
) -> None:
    revived = StandIn("projects-revived", "/api/projects")
    async with (
        revivable_address() as (address, revive),
        start_gateway(projects_urls=[address, projects.url], replica_cooldown_seconds=600) as gw,
    ):
        async with client.get(gw + "/api/projects") as response:
            assert response.status == 200  # refused by the first, answered by the second
        await revive(revived.app())
        for _ in range(6):
            async with client.get(gw + "/api/projects") as response:
                assert response.status == 200
        assert revived.seen == []  # back already, but still resting
    async with (
        revivable_address() as (address, revive),
        start_gateway(projects_urls=[address, projects.url], replica_cooldown_seconds=0.2) as gw,
    ):
        async with client.get(gw + "/api/projects") as response:
            assert response.status == 200
        await revive(revived.app())

        async def revived_answered() -> int:
            async with client.get(gw + "/api/projects") as response:
                assert response.status == 200
            return len(revived.seen)

        await eventually(revived_answered, what="the revived replica to get requests again")


async def test_when_no_replica_accepts_the_answer_is_502_problem(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        refused_address() as one,
        refused_address() as two,
        start_gateway(accounts_urls=[one, two]) as gateway,
        client.post(gateway + "/api/users", json={"email": "a@b.co"}) as response,
    ):
        assert response.status == 502
        assert response.content_type == "application/problem+json"
