"""The ASGI application: ``uvicorn accounts.entrypoints.http.app:create_app --factory``."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.entrypoints.http import operations, users
from accounts.entrypoints.http.problems import install_problem_handlers
from accounts.entrypoints.http.request_id import RequestIdMiddleware
from accounts.entrypoints.messaging import subscribe_all


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; the container (engine, pools) is created at start-up and closed at
    shutdown unless the caller passes one it owns."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or bootstrap(settings or Settings())
        if owned:
            subscribe_all(app.state.container)
            await app.state.container.messaging.start()
        try:
            yield
        finally:
            if owned:
                await app.state.container.close()

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = FastAPI(
        title="Taskboard accounts-service",
        version="1.0.0",
        description="Users, login and access tokens.",
        lifespan=lifespan,
    )
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    app.include_router(users.router)
    app.include_router(operations.router)
    return app
