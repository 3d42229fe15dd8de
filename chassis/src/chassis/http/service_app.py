"""The FastAPI application of a service, built the same way for every service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from fastapi import APIRouter, FastAPI

from chassis.container import ServiceContainer
from chassis.http import health, metrics_endpoint
from chassis.http.identity import document_bearer_description
from chassis.http.problems import ErrorMap, install_problem_handlers
from chassis.http.request_id import RequestIdMiddleware
from chassis.http.request_telemetry import RequestTelemetryMiddleware
from chassis.http.safe_headers import SafeHeadersMiddleware
from chassis.process_logging import configure_logging
from chassis.runtime import ServiceRuntime
from chassis.settings import ServiceSettings
from chassis.start_up_objects import freeze_start_up_objects
from contracts import ACCESS_TOKEN_DESCRIPTION

C = TypeVar("C", bound=ServiceContainer)
S = TypeVar("S", bound=ServiceSettings)
S_contra = TypeVar("S_contra", bound=ServiceSettings, contravariant=True)
C_contra = TypeVar("C_contra", bound=ServiceContainer, contravariant=True)


class AppFactory(Protocol[S_contra, C_contra]):
    """A service's ``create_app`` (``uvicorn <service>.entrypoints.http.app:create_app
    --factory``). The app builds its container from ``settings`` (by default the
    environment's) when it starts and closes it when it stops, unless the caller passes a
    ``container`` it owns: then the caller starts, subscribes and closes it."""

    def __call__(
        self, settings: S_contra | None = None, container: C_contra | None = None
    ) -> FastAPI: ...


def service_app_factory(
    runtime: ServiceRuntime[S, C],
    *,
    description: str,
    routers: Sequence[APIRouter],
    errors: ErrorMap,
    bearer_description: str | None = ACCESS_TOKEN_DESCRIPTION,
) -> AppFactory[S, C]:
    """The ``create_app`` of the service ``runtime`` runs: ``service_app`` titled after the
    service, serving ``routers`` with the error map ``errors``; its bearer scheme points to
    where the system issues tokens (``contracts``), unless the service says otherwise."""

    def create_app(settings: S | None = None, container: C | None = None) -> FastAPI:
        return service_app(
            title=f"Taskboard {runtime.name}",
            description=description,
            routers=routers,
            errors=errors,
            build=lambda: runtime.container(settings),
            container=container,
            bearer_description=bearer_description,
        )

    return create_app


def service_app(
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    errors: ErrorMap,
    build: Callable[[], C],
    subscribe: Callable[[C], None] | None = None,
    container: C | None = None,
    bearer_description: str | None = None,
) -> FastAPI:
    """An app with request ids, problem+json errors, ``/health``, ``/health/ready``,
    ``/metrics``, a duration and (when tracing) a span per request, and the service's
    ``routers``. At start-up it builds its container with ``build``, attaches the consumers
    with ``subscribe`` (if ``build`` does not) and starts the platform; at shutdown it closes
    the container.
    A caller that passes its own ``container`` keeps it: started, subscribed and closed by it.
    ``bearer_description`` says in the API document where a client gets the bearer token that
    ``CurrentUserId`` reads (e.g. the route that issues it).

    Paths are matched exactly: ``/api/projects/`` is a 404 problem, not a redirect whose
    ``Location`` would be built from the client's ``Host`` header."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        current = container if container is not None else build()
        app.state.container = current
        app.state.platform = current.platform
        if owned:
            # Once per process, when it starts serving (tests pass their own container and
            # keep their logging): not each time an app is built.
            configure_logging(service=current.platform.settings.service_name)
            if subscribe is not None:
                subscribe(current)
            await current.platform.start()
            freeze_start_up_objects()
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
        # Our own middleware makes the request spans and metrics, once: FastAPI's native
        # telemetry would make a second span per request from the global provider.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        redirect_slashes=False,
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SafeHeadersMiddleware)
    app.add_middleware(RequestTelemetryMiddleware)  # added last: the outer one
    install_problem_handlers(app, errors)
    for router in routers:
        app.include_router(router)
    app.include_router(health.router)
    app.include_router(metrics_endpoint.router)
    if bearer_description is not None:
        document_bearer_description(app, bearer_description)
    return app
