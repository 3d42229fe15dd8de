"""Test-only helpers shared by the suites. Service code never imports this package."""

from taskboard_testing.imports import modules_loaded_by, packages_in
from taskboard_testing.in_process import mark_integration, running, serving, started
from taskboard_testing.logins import ThrowawayLogins
from taskboard_testing.make_run import make_run_environment
from taskboard_testing.polling import eventually
from taskboard_testing.postgres import (
    ThrowawayDatabase,
    admin_database_url,
    migrated_database,
    run_alembic,
)
from taskboard_testing.rabbitmq import ThrowawayVhost, rabbitmqctl
from taskboard_testing.services import require_service
from taskboard_testing.sockets import free_port, refused_port

__all__ = [
    "ThrowawayDatabase",
    "ThrowawayLogins",
    "ThrowawayVhost",
    "admin_database_url",
    "eventually",
    "free_port",
    "make_run_environment",
    "mark_integration",
    "migrated_database",
    "modules_loaded_by",
    "packages_in",
    "rabbitmqctl",
    "refused_port",
    "require_service",
    "run_alembic",
    "running",
    "serving",
    "started",
]
