"""Taskboard gateway: one public origin routing `/api/users*` to accounts-service and
`/api/projects*` to projects-service, with merged API docs and the health of the whole."""

from gateway.app import create_app
from gateway.config import Settings

__all__ = ["Settings", "create_app"]
