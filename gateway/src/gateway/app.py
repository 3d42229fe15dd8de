"""The aiohttp application: the gateway's own endpoints, then everything else proxied."""

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from chassis import Telemetry, process_telemetry
from gateway import paths, security_headers
from gateway.config import Settings
from gateway.connection_limits import ConnectionLimits
from gateway.cors import Cors
from gateway.docs import DOCS_POLICY, AsyncApiDocument, SwaggerAssets, docs_page, swagger_ui_assets
from gateway.health import HealthMonitor
from gateway.middleware import request_context
from gateway.openapi import OpenApiCatalogue
from gateway.proxy import SESSIONS, Proxy
from gateway.replicas import ReplicaSet
from gateway.routing import RouteTable
from gateway.server import CONNECTIONS
from gateway.telemetry import TELEMETRY, telemetry_middleware
from gateway.upstream import create_monitoring_session, create_sessions

MONITORING_SESSION = web.AppKey("monitoring_session", aiohttp.ClientSession)


def create_app(
    settings: Settings | None = None, telemetry: Telemetry | None = None
) -> web.Application:
    """Build the app; its upstream sessions are opened at start-up and closed at exit.
    Traces and metrics go to ``telemetry``: by default the process's, from ``OTEL_*``."""
    settings = settings or Settings()
    telemetry = telemetry or process_telemetry("gateway")
    measured = telemetry_middleware(telemetry, RouteTable(settings.route_list))
    # Outermost: the duration and the span cover the problem+json answers too.
    app = web.Application(middlewares=[measured, request_context])
    app[TELEMETRY] = telemetry
    app[CONNECTIONS] = ConnectionLimits(
        total=settings.max_connections, per_client=settings.max_connections_per_client
    )

    async def upstream_sessions(app: web.Application) -> AsyncIterator[None]:
        app[SESSIONS] = create_sessions(settings)
        app[MONITORING_SESSION] = create_monitoring_session(settings)
        yield
        for session in (*app[SESSIONS].values(), app[MONITORING_SESSION]):
            await session.close()

    def monitoring_session() -> aiohttp.ClientSession:
        return app[MONITORING_SESSION]

    health = HealthMonitor(settings, session=monitoring_session)
    app.cleanup_ctx.append(upstream_sessions)
    app.cleanup_ctx.append(health.running)
    security_headers.install(app, docs_csp=DOCS_POLICY)
    if settings.cors_origins:
        Cors(settings.cors_origins).install(app)

    replicas = {
        name: ReplicaSet(upstream.base_urls, cooldown=settings.replica_cooldown_seconds)
        for name, upstream in settings.services.items()
    }
    openapi = OpenApiCatalogue(settings, session=monitoring_session)
    app.router.add_get(paths.HEALTH, health.handle)
    app.router.add_get(paths.OPENAPI, openapi.handle)
    app.router.add_get(paths.ASYNCAPI, AsyncApiDocument().handle)
    app.router.add_get(paths.DOCS, docs_page)
    app.router.add_get(paths.DOCS_ASSETS + "/{name}", SwaggerAssets(swagger_ui_assets()).handle)
    app.router.add_route("*", "/{tail:.*}", Proxy(settings, replicas).handle)
    return app
