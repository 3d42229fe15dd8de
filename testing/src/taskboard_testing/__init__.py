"""Test-only helpers shared by the suites. Service code never imports this package."""

from taskboard_testing.postgres import ThrowawayDatabase, admin_database_url, run_alembic
from taskboard_testing.services import require_service

__all__ = ["ThrowawayDatabase", "admin_database_url", "require_service", "run_alembic"]
