"""Clients cannot hold the gateway: a request head must arrive within the idle timeout, a
body may not stall, an idle keep-alive connection is closed, and connections are bounded
per client address and in all. Whatever the gateway refuses, it answers problem+json."""

import asyncio

import aiohttp
import pytest

from taskboard_testing import eventually
from tests.integration.conftest import GatewayFactory
from tests.integration.rawhttp import GUARD_SECONDS, closed_by_peer, connection, read_answer
from tests.integration.standins import StandIn

HEAD = b"POST /api/users HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"


async def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout(
    start_gateway: GatewayFactory,
) -> None:
    async with start_gateway(idle_timeout_seconds=0.3) as gateway, connection(gateway) as (r, _):
        assert await closed_by_peer(r)


async def test_a_request_head_that_never_ends_is_cut_off_however_it_trickles(
    start_gateway: GatewayFactory,
) -> None:
    async with start_gateway(idle_timeout_seconds=0.3) as gateway, connection(gateway) as (r, w):
        w.write(b"GET /api/users/me HTTP/1.1\r\nHost: gw\r\n")
        # Keep sending header bytes: each one must not buy more time.
        async with asyncio.timeout(GUARD_SECONDS):
            while not r.at_eof():
                try:
                    w.write(b"X-Slow: a\r\n")
                    await w.drain()
                except ConnectionError:
                    break
                try:
                    async with asyncio.timeout(0.05):
                        await r.read(1)
                except TimeoutError:
                    continue


async def test_an_idle_keep_alive_connection_is_closed(start_gateway: GatewayFactory) -> None:
    async with start_gateway(idle_timeout_seconds=0.3) as gateway, connection(gateway) as (r, w):
        w.write(b"GET /api/users/me HTTP/1.1\r\nHost: gw\r\n\r\n")
        answer = await read_answer(r)
        assert answer.status == 200
        assert answer.headers.get("connection", "").lower() != "close"
        assert await closed_by_peer(r)


@pytest.mark.parametrize("buffer_body_bytes", [64 * 1024, 0], ids=["buffered", "streamed"])
async def test_a_body_that_stalls_is_cut_off_with_408_problem(
    start_gateway: GatewayFactory, accounts: StandIn, buffer_body_bytes: int
) -> None:
    async with (
        start_gateway(body_timeout_seconds=0.3, buffer_body_bytes=buffer_body_bytes) as gateway,
        connection(gateway) as (r, w),
    ):
        w.write(HEAD + b"Content-Length: 1000\r\n\r\n" + b'{"email":')
        answer = await read_answer(r)
        assert answer.status == 408
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "urn:taskboard:problem:body-timeout"
        assert answer.headers["connection"] == "close"
        assert await closed_by_peer(r)
    if buffer_body_bytes:
        assert accounts.seen == []  # a small body is read whole before any service is asked
    else:
        assert [seen.body for seen in accounts.seen] == [None]  # no half body passed off


async def test_connections_over_the_per_client_bound_get_429_problem(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with start_gateway(max_connections_per_client=2, idle_timeout_seconds=60) as gateway:
        async with connection(gateway), connection(gateway), connection(gateway) as (r3, _):
            answer = await read_answer(r3)
            assert answer.status == 429
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"] == "urn:taskboard:problem:too-many-connections"
            assert answer.headers["retry-after"] == "1"
        # Once they are gone, the client gets in again.
        got_in = await eventually(
            lambda: _status(client, gateway + "/api/users/me"), until=lambda s: s == 200
        )
        assert got_in == 200


async def test_connections_over_the_total_bound_get_503_problem(
    start_gateway: GatewayFactory,
) -> None:
    async with (
        start_gateway(max_connections=2, idle_timeout_seconds=60) as gateway,
        connection(gateway),
        connection(gateway),
        connection(gateway) as (r3, _),
    ):
        answer = await read_answer(r3)
        assert answer.status == 503
        assert answer.json()["type"] == "urn:taskboard:problem:at-capacity"


async def _status(client: aiohttp.ClientSession, url: str) -> int:
    async with client.get(url) as response:
        return response.status


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/users/me HTTP/1.1\r\nHost gw\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        b"GET /api/users/me HTTP/1.1\r\nHost: gw\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
        b"POST /api/users HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["header-without-colon", "tls-hello", "header-too-long", "bad-chunk"],
)
async def test_malformed_requests_get_400_problem_json(gateway: str, request_bytes: bytes) -> None:
    async with connection(gateway) as (r, w):
        w.write(request_bytes)
        answer = await read_answer(r)
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "aiohttp" not in answer.headers["server"].lower()
    assert answer.headers["x-request-id"]
