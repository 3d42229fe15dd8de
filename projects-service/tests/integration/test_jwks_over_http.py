"""The default wiring fetches accounts' JWKS over real HTTP from JWKS_URL (a tiny local server
stands in for accounts-service)."""

import asyncio
import json
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.http.app import create_app
from tests.stand_in_accounts import StandInAccounts


class JwksServer:
    """Answers every request with the stand-in's JWKS, like GET /.well-known/jwks.json."""

    def __init__(self, accounts: StandInAccounts) -> None:
        self.accounts = accounts
        self.paths: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.paths.append(head.split(b" ")[1].decode())
        body = json.dumps(self.accounts.jwks()).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def jwks_url(accounts: StandInAccounts) -> AsyncIterator[tuple[str, JwksServer]]:
    server = JwksServer(accounts)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/.well-known/jwks.json", server
    finally:
        listener.close()
        await listener.wait_closed()


async def test_tokens_are_verified_with_keys_fetched_from_the_jwks_url(
    settings: Settings, accounts: StandInAccounts, jwks_url: tuple[str, JwksServer]
) -> None:
    url, server = jwks_url
    container = bootstrap(settings.model_copy(update={"jwks_url": url}))
    app = create_app(container=container)
    token = accounts.token(uuid4())
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as c,
        ):
            first = await c.get("/api/projects", headers={"Authorization": f"Bearer {token}"})
            second = await c.get("/api/projects", headers={"Authorization": f"Bearer {token}"})
    finally:
        await container.close()

    assert (first.status_code, second.status_code) == (200, 200)
    assert server.paths == ["/.well-known/jwks.json"]  # fetched once, then cached


async def test_when_the_jwks_url_is_unreachable_requests_are_503_not_401(
    settings: Settings, accounts: StandInAccounts
) -> None:
    container = bootstrap(settings.model_copy(update={"jwks_url": "http://127.0.0.1:1/jwks"}))
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as c,
        ):
            response = await c.get(
                "/api/projects", headers={"Authorization": f"Bearer {accounts.token(uuid4())}"}
            )
    finally:
        await container.close()

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "10"
