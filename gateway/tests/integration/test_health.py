"""GET /health: ready only when every service is ready; the body names what is down."""

import aiohttp

from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn, refused_address, silent_server


async def test_health_is_200_when_both_services_are_ready(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/health") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["checks"]) == {"gateway", "accounts", "projects"}
    assert body["checks"]["projects"]["checks"] == {"database": "ok"}


async def test_health_is_503_naming_the_dependency_a_service_reports_down(
    gateway: str, client: aiohttp.ClientSession, projects: StandIn
) -> None:
    projects.ready_status = 503
    projects.ready_checks = {"database": "down: OSError", "broker": "ok"}
    async with client.get(gateway + "/health") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "down"
    assert body["down"] == ["projects.database"]
    assert body["checks"]["accounts"]["status"] == "ok"
    assert body["checks"]["projects"]["status"] == "down"


async def test_health_is_503_naming_a_service_that_does_not_answer(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        refused_address() as nowhere,
        start_gateway(accounts_url=nowhere) as gateway,
        client.get(gateway + "/health") as response,
    ):
        assert response.status == 503
        body = await response.json()
    assert body["down"] == ["accounts"]
    assert body["checks"]["accounts"]["status"] == "down"
    assert "unreachable" in body["checks"]["accounts"]["error"]
    assert body["checks"]["projects"]["status"] == "ok"


async def test_health_is_503_when_a_service_is_too_slow_to_answer(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        silent_server() as silent,
        start_gateway(projects_url=silent, health_timeout_seconds=0.2) as gateway,
        client.get(gateway + "/health") as response,
    ):
        assert response.status == 503
        body = await response.json()
    assert body["down"] == ["projects"]
    assert body["checks"]["projects"]["error"] == "no answer in time"
