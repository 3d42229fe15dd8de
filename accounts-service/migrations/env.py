"""Alembic environment of accounts-service: schema ``accounts``, async engine (asyncpg)."""

from accounts.config import Settings
from accounts.infrastructure.persistence.tables import metadata
from chassis import run_migrations

run_migrations(metadata, default_url=Settings(environment="dev").database_url)
