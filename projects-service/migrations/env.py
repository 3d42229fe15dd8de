"""Alembic environment of projects-service: schema ``projects``, async engine (asyncpg)."""

from chassis import run_migrations
from projects.config import Settings
from projects.infrastructure.persistence.tables import metadata

run_migrations(metadata, default_url=Settings(environment="dev").database_url)
