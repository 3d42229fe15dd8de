"""The Alembic history applies on an empty database, reverts to nothing, and applies again."""

import asyncpg
import pytest

from taskboard_testing import ThrowawayDatabase, run_alembic

from .conftest import SERVICE_DIR

EXPECTED_TABLES = {
    "alembic_version",
    "attempts",
    "idempotency_keys",
    "inbox",
    "outbox",
    "user_projects",
    "users",
}


async def tables_by_schema(url: str) -> dict[str, set[str]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
    finally:
        await connection.close()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["table_schema"], set()).add(row["table_name"])
    return found


async def test_upgrade_downgrade_upgrade_keeps_history_in_own_schema() -> None:
    with ThrowawayDatabase("accounts_migrations") as database:
        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        assert await tables_by_schema(database.url) == {"accounts": EXPECTED_TABLES}

        run_alembic(SERVICE_DIR, database.url, "downgrade", "base")
        assert await tables_by_schema(database.url) == {"accounts": {"alembic_version"}}

        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        assert await tables_by_schema(database.url) == {"accounts": EXPECTED_TABLES}
        current = run_alembic(SERVICE_DIR, database.url, "current")
        assert "(head)" in current.stdout


async def test_email_uniqueness_is_case_insensitive_in_the_schema_itself(
    database_url: str,
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        insert = (
            "INSERT INTO accounts.users (id, email, password_hash, version, created_at) "
            "VALUES (gen_random_uuid(), $1, 'h', 1, now())"
        )
        await connection.execute(insert, "ada@example.com")
        with pytest.raises(asyncpg.UniqueViolationError) as caught:
            await connection.execute(insert, "ADA@example.com")
        assert caught.value.constraint_name == "uq_users_email_lower"
    finally:
        await connection.close()
