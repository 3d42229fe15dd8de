"""The attack of issue 12, bounded: 200 clients each start `POST /api/users` with
Content-Length 1000, send 9 bytes and then nothing. Authenticated reads on the other route
and /health keep answering as usual, both when the gateway reads small bodies whole first
(the default: no service connection is held at all) and when it streams every body (then
accounts' own connection budget is full and projects' is untouched)."""

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from gateway import Settings, create_app
from gateway.server import CONNECTIONS, serving
from taskboard_testing import eventually
from tests.integration.rawhttp import connection
from tests.integration.standins import StandIn

UPLOADERS = 200
READS = 20
POOL = 50
STALLED = (
    b"POST /api/users HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n" + b'{"email":'
)


@asynccontextmanager
async def slow_uploaders(gateway: str) -> AsyncIterator[list[asyncio.StreamReader]]:
    async with AsyncExitStack() as stack:
        readers = []
        for _ in range(UPLOADERS):
            reader, writer = await stack.enter_async_context(connection(gateway))
            writer.write(STALLED)
            readers.append(reader)
        yield readers


@pytest.mark.parametrize("buffer_body_bytes", [64 * 1024, 0], ids=["buffered", "streamed"])
async def test_200_slow_uploaders_leave_reads_and_health_answering(
    settings_for: Callable[..., Settings],
    accounts: StandIn,
    projects: StandIn,
    buffer_body_bytes: int,
) -> None:
    settings = settings_for(
        buffer_body_bytes=buffer_body_bytes,
        upstream_pool_size=POOL,
        # The attack, not the per-client bound, is under test: every client here is 127.0.0.1.
        max_connections_per_client=UPLOADERS + 50,
        body_timeout_seconds=120,
        idle_timeout_seconds=120,
    )
    app = create_app(settings)
    guard = aiohttp.ClientTimeout(total=10)
    async with (
        serving(app, settings) as gateway,
        aiohttp.ClientSession(timeout=guard) as client,
        slow_uploaders(gateway) as stalled,
    ):
        await eventually(lambda: _open(app), until=lambda n: n >= UPLOADERS, what="all connected")
        if buffer_body_bytes:
            assert accounts.seen == []
        else:  # accounts' budget is taken: as many uploads reached it as it has connections
            await eventually(lambda: _seen(accounts), until=lambda n: n == POOL, what="pool full")

        took = []
        for _ in range(READS):
            started = time.perf_counter()
            headers = {"Authorization": "Bearer a-token"}
            async with client.get(gateway + "/api/projects", headers=headers) as response:
                assert response.status == 200
            took.append(time.perf_counter() - started)
            async with client.get(gateway + "/health") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"
        assert [s.header("Authorization") for s in projects.seen] == ["Bearer a-token"] * READS

        # The attack lasted the whole time: every uploader is still connected, unanswered.
        assert await _open(app) >= UPLOADERS
        assert not any(reader.at_eof() for reader in stalled)
        print(  # shown with -s: what the reads cost while the attack held
            f"\n{buffer_body_bytes=}: {READS} reads beside {UPLOADERS} stalled uploads, "
            f"p50 {statistics.median(took) * 1000:.1f} ms, max {max(took) * 1000:.1f} ms"
        )


async def _open(app: web.Application) -> int:
    return app[CONNECTIONS].open


async def _seen(service: StandIn) -> int:
    return len(service.seen)
