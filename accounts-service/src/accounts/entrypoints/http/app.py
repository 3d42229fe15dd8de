"""The ASGI application: ``uvicorn accounts.entrypoints.http.app:create_app --factory``."""

from accounts.entrypoints.http import operations, users
from accounts.entrypoints.http.error_map import ERRORS
from accounts.entrypoints.runtime import RUNTIME
from chassis import service_app_factory

create_app = service_app_factory(
    RUNTIME,
    description="Users, login and access tokens.",
    routers=[users.router, operations.router],
    errors=ERRORS,
)
