"""Real servers on ephemeral ports: two stand-in services, the real gateway in front of them,
and a real HTTP client talking to the gateway."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway import Settings, create_app
from gateway.server import serving
from tests.integration.openapi_documents import accounts_openapi, projects_openapi
from tests.integration.standins import StandIn, serve

GatewayFactory = Callable[..., AbstractAsyncContextManager[str]]


@pytest_asyncio.fixture(scope="session")
async def accounts() -> AsyncIterator[StandIn]:
    service = StandIn("accounts", "/api/users", openapi=accounts_openapi())
    async with serve(service.app()) as url:
        service.url = url
        yield service
        service.release_slow.set()


@pytest_asyncio.fixture(scope="session")
async def projects() -> AsyncIterator[StandIn]:
    service = StandIn("projects", "/api/projects", openapi=projects_openapi())
    async with serve(service.app()) as url:
        service.url = url
        yield service
        service.release_slow.set()


@pytest.fixture(autouse=True)
def _fresh_records(accounts: StandIn, projects: StandIn) -> None:
    for service in (accounts, projects):
        service.clear()
        service.ready_status = 200
        service.ready_checks = {"database": "ok"}
        service.openapi_status = 200


@pytest.fixture
def settings_for(accounts: StandIn, projects: StandIn) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "accounts_url": accounts.url,
            "projects_url": projects.url,
            "port": 0,
            "retry_backoff_seconds": 0,
            "read_timeout_seconds": 5,
            "openapi_cache_seconds": 60,
            **overrides,
        }
        return Settings(**values)

    return build


@pytest.fixture
def start_gateway(settings_for: Callable[..., Settings]) -> GatewayFactory:
    """Starts a gateway with the given settings overrides, served as in production; yields
    its base URL."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[str]:
        settings = settings_for(**overrides)
        async with serving(create_app(settings), settings) as url:
            yield url

    return start


@pytest_asyncio.fixture
async def gateway(start_gateway: GatewayFactory) -> AsyncIterator[str]:
    async with start_gateway() as url:
        yield url


@pytest_asyncio.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session
