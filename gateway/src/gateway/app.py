"""The aiohttp application: the gateway's own endpoints, then everything else proxied."""

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from gateway import paths
from gateway.config import Settings
from gateway.docs import AsyncApiDocument, SwaggerAssets, docs_page, swagger_ui_assets
from gateway.health import HealthCheck
from gateway.middleware import request_context
from gateway.openapi import OpenApiCatalogue
from gateway.proxy import SESSION, Proxy
from gateway.upstream import create_session


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the app; its shared upstream session is opened at start-up and closed at exit."""
    settings = settings or Settings()
    app = web.Application(middlewares=[request_context])

    async def upstream_session(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = create_session(settings)
        yield
        await app[SESSION].close()

    app.cleanup_ctx.append(upstream_session)

    def session() -> aiohttp.ClientSession:
        return app[SESSION]

    health = HealthCheck(settings, session=session)
    openapi = OpenApiCatalogue(settings, session=session)
    app.router.add_get(paths.HEALTH, health.handle)
    app.router.add_get(paths.OPENAPI, openapi.handle)
    app.router.add_get(paths.ASYNCAPI, AsyncApiDocument().handle)
    app.router.add_get(paths.DOCS, docs_page)
    app.router.add_get(paths.DOCS_ASSETS + "/{name}", SwaggerAssets(swagger_ui_assets()).handle)
    app.router.add_route("*", "/{tail:.*}", Proxy(settings).handle)
    return app
