"""The ASGI application: ``uvicorn accounts.entrypoints.http.app:create_app --factory``."""

from fastapi import FastAPI

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.entrypoints.http import operations, users
from accounts.entrypoints.http.error_map import ERRORS
from accounts.entrypoints.messaging import subscribe_all
from chassis import service_app


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; the container (engine, pools) is created at start-up and closed at
    shutdown unless the caller passes one it owns."""
    return service_app(
        title="Taskboard accounts-service",
        description="Users, login and access tokens.",
        routers=[users.router, operations.router],
        errors=ERRORS,
        build=lambda: bootstrap(settings or Settings()),
        subscribe=subscribe_all,
        container=container,
    )
