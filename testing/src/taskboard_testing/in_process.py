"""A service's app and container run in the test's own process, as the integration suites
drive them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest

C = TypeVar("C")


class Subscribing(Protocol):
    """A service's runtime (``chassis.ServiceRuntime``): it attaches the consumers."""

    def subscribe(self, container: Any) -> None: ...


def mark_integration(items: list[pytest.Item], folder: Path) -> None:
    """Marks every test collected below ``folder`` as an integration test."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(folder):
            item.add_marker(pytest.mark.integration)


@asynccontextmanager
async def started(container: C) -> AsyncIterator[C]:
    """The container as a process runs it: its broker connection (relay, consumers) started
    and connected; closed afterwards."""
    messaging: Any = container.platform.messaging  # type: ignore[attr-defined]
    try:
        await messaging.start()
        await asyncio.wait_for(messaging.connected.wait(), timeout=30)
        yield container
    finally:
        await container.close()  # type: ignore[attr-defined]


@asynccontextmanager
async def running(runtime: Subscribing, container: C) -> AsyncIterator[C]:
    """The container as the service's processes run it: the runtime's consumers subscribed,
    then :func:`started`."""
    runtime.subscribe(container)
    async with started(container):
        yield container


@asynccontextmanager
async def serving(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` in process, its lifespan (start-up and shutdown) around it."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client,
    ):
        yield client
