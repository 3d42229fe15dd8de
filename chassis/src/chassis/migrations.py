"""A service's Alembic environment: its own schema, its ``alembic_version`` inside it, and
nothing outside it ever touched. A service's ``migrations/env.py`` is one call of
``run_migrations``."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from chassis.persistence.database import async_url


def run_migrations(metadata: MetaData, *, default_url: str) -> None:
    """Apply (or, offline, print) the migrations of the schema ``metadata`` names, on the
    database given by ``-x database_url=…`` or else ``default_url``."""
    schema = metadata.schema
    if not schema:
        raise ValueError("A service's tables live in its own schema: set one on its metadata.")
    config = context.config
    if config.config_file_name is not None and config.attributes.get("configure_logger", True):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = async_url(context.get_x_argument(as_dictionary=True).get("database_url") or default_url)

    def include_object(obj: Any, *_: Any) -> bool:
        # Other schemas belong to other services: never touch them.
        owner = getattr(obj, "schema", None) or getattr(getattr(obj, "table", None), "schema", None)
        return owner in (schema, None)

    def migrate(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_object=include_object,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def migrate_online() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
                await connection.commit()
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, version_table_schema=schema, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(migrate_online())
