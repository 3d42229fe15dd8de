"""The ASGI application: ``uvicorn projects.entrypoints.http.app:create_app --factory``."""

from chassis import service_app_factory
from projects.entrypoints.http import projects, tasks
from projects.entrypoints.http.error_map import ERRORS
from projects.entrypoints.runtime import RUNTIME

create_app = service_app_factory(
    RUNTIME,
    description="Projects and their numbered tasks, each user seeing only their own.",
    routers=[projects.router, tasks.router],
    errors=ERRORS,
)
