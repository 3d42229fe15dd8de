"""The ASGI application: ``uvicorn projects.entrypoints.http.app:create_app --factory``."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from projects.bootstrap import Container, bootstrap
from projects.config import Settings
from projects.entrypoints.http import operations, projects, tasks
from projects.entrypoints.http.problems import install_problem_handlers
from projects.entrypoints.http.request_id import RequestIdMiddleware
from projects.entrypoints.messaging import subscribe_all


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
        title="Taskboard projects-service",
        version="1.0.0",
        description="Projects and their numbered tasks, each user seeing only their own.",
        lifespan=lifespan,
    )
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    app.include_router(projects.router)
    app.include_router(tasks.router)
    app.include_router(operations.router)
    return app
