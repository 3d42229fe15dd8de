"""When a service is down, slow or flaky, or the client sends too much: problem+json."""

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn, dropping_server, refused_address


async def _problem(response: aiohttp.ClientResponse, status: int, slug: str) -> dict[str, object]:
    assert response.status == status
    assert response.content_type == "application/problem+json"
    body: dict[str, object] = await response.json(content_type=None)
    assert body["status"] == status
    assert body["type"] == f"urn:taskboard:problem:{slug}"
    assert response.headers["X-Request-ID"]
    return body


async def test_a_down_service_answers_502_and_the_other_route_still_works(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with refused_address() as nowhere, start_gateway(projects_url=nowhere) as gateway:
        async with client.get(gateway + "/api/projects") as response:
            body = await _problem(response, 502, "upstream-unavailable")
            assert "projects" in str(body["detail"])
        async with client.get(gateway + "/api/users/me") as response:
            assert response.status == 200


async def test_a_slow_service_answers_504_after_the_read_timeout(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with (
        start_gateway(read_timeout_seconds=0.2) as gateway,
        client.get(gateway + "/api/users/slow") as response,
    ):
        body = await _problem(response, 504, "upstream-timeout")
        assert "accounts" in str(body["detail"])
    assert [seen.raw_path for seen in accounts.seen] == ["/api/users/slow"]


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
async def test_idempotent_methods_are_resent_once_after_the_connection_drops(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, method: str
) -> None:
    async with (
        dropping_server(drops=1) as (flaky, server),
        start_gateway(accounts_url=flaky, retries=2) as gateway,
        client.request(method, gateway + "/api/users/me") as response,
    ):
        assert response.status == 200
    assert server.requests == 2


async def test_a_resend_is_logged_with_the_request_id_its_answer_carries(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    # A resent DELETE that the lost attempt had carried out is answered 404: the log says which.
    caplog.set_level(logging.INFO, logger="gateway.proxy")
    async with (
        dropping_server(drops=1) as (flaky, _),
        start_gateway(accounts_url=flaky) as gateway,
        client.delete(gateway + "/api/users/me") as response,
    ):
        request_id = response.headers["X-Request-ID"]
    resends = [r for r in caplog.records if "resending" in r.getMessage()]
    assert len(resends) == 1, [r.getMessage() for r in caplog.records]
    assert " lost DELETE (" in resends[0].getMessage()
    assert resends[0].getMessage().endswith(f"; resending id={request_id}")
    assert getattr(resends[0], "request_id", None) == request_id  # a field of its JSON line


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_other_methods_are_not_resent_after_the_connection_drops(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, method: str
) -> None:
    async with (
        dropping_server(drops=1) as (flaky, server),
        start_gateway(accounts_url=flaky, retries=2) as gateway,
    ):
        async with client.request(method, gateway + "/api/users/me") as response:
            await _problem(response, 502, "upstream-unavailable")
        assert server.requests == 1


async def test_a_post_with_an_idempotency_key_is_resent_once_after_the_connection_drops(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    headers = {"Idempotency-Key": "7c1e4f0e-create-project"}
    async with (
        dropping_server(drops=1) as (flaky, server),
        start_gateway(accounts_url=flaky) as gateway,
        client.post(gateway + "/api/users/me", data=b"{}", headers=headers) as response,
    ):
        assert response.status == 200
    assert server.requests == 2


async def test_a_request_is_resent_at_most_once_after_connections_drop(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        dropping_server(drops=10) as (flaky, server),
        start_gateway(accounts_url=flaky, retries=2) as gateway,
    ):
        async with client.get(gateway + "/api/users/me") as response:
            await _problem(response, 502, "upstream-unavailable")
        assert server.requests == 2


async def test_a_declared_body_over_the_limit_is_refused_before_reaching_the_service(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with start_gateway(max_body_bytes=64 * 1024) as gateway:
        async with client.post(gateway + "/api/users/echo", data=b"x" * (64 * 1024 + 1)) as r:
            await _problem(r, 413, "body-too-large")
        async with client.post(gateway + "/api/users/echo", data=b"x" * (64 * 1024)) as r:
            assert r.status == 200
    assert len(accounts.seen) == 1


async def test_a_chunked_body_over_the_limit_is_cut_off_with_413(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async def too_much() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"y" * 16 * 1024

    async with (
        start_gateway(max_body_bytes=64 * 1024) as gateway,
        client.post(gateway + "/api/users/echo", data=too_much()) as response,
    ):
        await _problem(response, 413, "body-too-large")
    # The service never got a whole body: the upload was cut off at the limit.
    assert all(seen.body is None for seen in accounts.seen)
