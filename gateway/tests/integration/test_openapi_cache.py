"""The OpenAPI catalogue's cache, against a real stand-in service and a hand-moved clock."""

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest_asyncio

from gateway.config import Settings
from gateway.openapi import RETRY_AFTER_FAILURE_SECONDS, OpenApiCatalogue
from tests.integration.standins import StandIn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _statuses(document: dict[str, dict[str, dict[str, str]]]) -> dict[str, str]:
    return {name: entry["status"] for name, entry in document["x-taskboard-sources"].items()}


async def test_a_service_that_fails_after_a_good_fetch_is_served_stale_then_refreshed(
    settings_for: Callable[..., Settings],
    session: aiohttp.ClientSession,
    accounts: StandIn,
) -> None:
    clock = Clock()
    catalogue = OpenApiCatalogue(
        settings_for(openapi_cache_seconds=60), session=lambda: session, clock=clock
    )
    fetches = accounts.openapi_fetches
    assert _statuses(await catalogue.document())["accounts"] == "ok"

    clock.now += 61
    accounts.openapi_status = 500
    stale = await catalogue.document()
    assert _statuses(stale)["accounts"] == "stale: ValueError"
    assert "/api/users/me" in stale["paths"]

    accounts.openapi_status = 200
    clock.now += RETRY_AFTER_FAILURE_SECONDS / 2
    assert _statuses(await catalogue.document())["accounts"] == "stale: ValueError"
    assert accounts.openapi_fetches == fetches + 2, "asked again inside the back-off window"

    clock.now += RETRY_AFTER_FAILURE_SECONDS
    assert _statuses(await catalogue.document())["accounts"] == "ok"
    assert accounts.openapi_fetches == fetches + 3
