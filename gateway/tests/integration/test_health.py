"""GET /health: a cached summary of every part and replica, "ok" or "degraded" and nothing
more; 200 while every service has a ready replica."""

import aiohttp

from taskboard_testing import eventually
from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn, refused_address, serve, silent_server

Health = tuple[int, dict[str, object], str]


async def _health(client: aiohttp.ClientSession, gateway: str) -> Health:
    async with client.get(gateway + "/health") as response:
        text = await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        return response.status, await response.json(), text


def _no_internals(text: str) -> None:
    for secret in ("127.0.0.1", "http", "Error", "unreachable", "HTTP", "OSError"):
        assert secret not in text, f"{secret!r} in {text}"


async def test_health_is_200_and_every_part_ok_when_all_are_ready(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    status, body, _ = await _health(client, gateway)
    assert status == 200
    assert body == {
        "status": "ok",
        "parts": {
            "gateway": "ok",
            "accounts": "ok",
            "accounts.database": "ok",
            "projects": "ok",
            "projects.database": "ok",
        },
        "replicas": {"accounts": ["ok"], "projects": ["ok"]},
    }


async def test_a_dependency_a_service_reports_down_is_degraded_without_its_error(
    gateway: str, start_gateway: GatewayFactory, client: aiohttp.ClientSession, projects: StandIn
) -> None:
    projects.ready_status = 503
    projects.ready_checks = {"database": "down: OSError at 10.0.0.9", "broker": "ok"}
    async with start_gateway() as fresh:
        status, body, text = await _health(client, fresh)
    assert status == 503
    assert body["status"] == "degraded"
    parts = body["parts"]
    assert isinstance(parts, dict)
    assert parts["projects"] == parts["projects.database"] == "degraded"
    assert parts["projects.broker"] == parts["accounts"] == "ok"
    _no_internals(text)


async def test_a_service_that_does_not_answer_is_degraded_without_its_address(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with refused_address() as nowhere, start_gateway(accounts_url=nowhere) as gateway:
        status, body, text = await _health(client, gateway)
    assert status == 503
    assert body["replicas"] == {"accounts": ["degraded"], "projects": ["ok"]}
    _no_internals(text)


async def test_a_service_too_slow_to_answer_is_degraded(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        silent_server() as silent,
        start_gateway(projects_url=silent, health_timeout_seconds=0.2) as gateway,
    ):
        status, body, _ = await _health(client, gateway)
    assert status == 503
    # Only the silent one: with a timeout this short, even a busy stand-in could miss it.
    assert body["replicas"]["projects"] == ["degraded"]  # type: ignore[index]


async def test_health_is_answered_from_the_cache_not_by_asking_the_services(
    start_gateway: GatewayFactory,
    client: aiohttp.ClientSession,
    accounts: StandIn,
    projects: StandIn,
) -> None:
    async with start_gateway(health_interval_seconds=600) as gateway:
        for _ in range(30):
            status, _, _ = await _health(client, gateway)
            assert status == 200
    assert (accounts.ready_checks_count, projects.ready_checks_count) == (1, 1)


async def test_the_summary_follows_the_services_in_the_background(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with start_gateway(health_interval_seconds=0.05) as gateway:
        assert (await _health(client, gateway))[0] == 200
        accounts.ready_status = 503
        await eventually(lambda: _health(client, gateway), until=lambda h: h[0] == 503)
        accounts.ready_status = 200
        await eventually(lambda: _health(client, gateway), until=lambda h: h[0] == 200)


async def test_each_replica_is_reported_and_one_ready_replica_keeps_the_service_up(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    second = StandIn("accounts", "/api/users")
    second.ready_status = 503
    async with (
        serve(second.app()) as second_url,
        refused_address() as nowhere,
        start_gateway(accounts_urls=[accounts.url, second_url, nowhere]) as gateway,
    ):
        status, body, text = await _health(client, gateway)
    assert status == 200  # the API still answers
    assert body["status"] == "degraded"
    assert body["replicas"] == {"accounts": ["ok", "degraded", "degraded"], "projects": ["ok"]}
    assert body["parts"]["accounts"] == "degraded"  # type: ignore[index]
    _no_internals(text)
