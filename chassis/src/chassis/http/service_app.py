"""The FastAPI application of a service, built the same way for every service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import APIRouter, FastAPI

from chassis.container import ServiceContainer
from chassis.http import health
from chassis.http.problems import ErrorMap, install_problem_handlers
from chassis.http.request_id import RequestIdMiddleware
from chassis.http.safe_headers import SafeHeadersMiddleware

C = TypeVar("C", bound=ServiceContainer)


def service_app(
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    errors: ErrorMap,
    build: Callable[[], C],
    subscribe: Callable[[C], None],
    container: C | None = None,
) -> FastAPI:
    """An app with request ids, problem+json errors, ``/health`` and ``/health/ready`` and the
    service's ``routers``. At start-up it builds its container with ``build``, attaches the
    consumers with ``subscribe`` and starts the platform; at shutdown it closes the container.
    A caller that passes its own ``container`` keeps it: started, subscribed and closed by it.

    Paths are matched exactly: ``/api/projects/`` is a 404 problem, not a redirect whose
    ``Location`` would be built from the client's ``Host`` header."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        current = container if container is not None else build()
        app.state.container = current
        app.state.platform = current.platform
        if owned:
            subscribe(current)
            await current.platform.start()
        try:
            yield
        finally:
            if owned:
                await current.close()

    app = FastAPI(
        title=title,
        version="1.0.0",
        description=description,
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SafeHeadersMiddleware)
    install_problem_handlers(app, errors)
    for router in routers:
        app.include_router(router)
    app.include_router(health.router)
    return app
