"""The ASGI application: ``uvicorn projects.entrypoints.http.app:create_app --factory``."""

from fastapi import FastAPI

from chassis import service_app
from projects.bootstrap import Container, bootstrap
from projects.config import Settings
from projects.entrypoints.http import projects, tasks
from projects.entrypoints.http.error_map import ERRORS
from projects.entrypoints.messaging import subscribe_all


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; the container (engine, pools) is created at start-up and closed at
    shutdown unless the caller passes one it owns."""
    return service_app(
        title="Taskboard projects-service",
        description="Projects and their numbered tasks, each user seeing only their own.",
        routers=[projects.router, tasks.router],
        errors=ERRORS,
        build=lambda: bootstrap(settings or Settings()),
        subscribe=subscribe_all,
        container=container,
    )
