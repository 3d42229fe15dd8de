"""The Alembic history applies on an empty database, reverts to nothing, and applies again."""

import asyncpg

from taskboard_testing import ThrowawayDatabase, run_alembic

from .conftest import SERVICE_DIR

EXPECTED_TABLES = {"alembic_version", "inbox", "outbox", "projects", "tasks"}
EXPECTED_INDEXES = {
    "projects_pkey",
    "ix_projects_owner_live",
    "pk_tasks",
    "outbox_pkey",
    "ix_outbox_unpublished",
    "pk_inbox",
    "alembic_version_pkc",
}


async def catalog(url: str, query: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(query))
    finally:
        await connection.close()


async def tables_by_schema(url: str) -> dict[str, set[str]]:
    rows = await catalog(
        url,
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["table_schema"], set()).add(row["table_name"])
    return found


async def test_upgrade_downgrade_upgrade_keeps_history_in_own_schema() -> None:
    with ThrowawayDatabase("projects_migrations") as database:
        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        assert await tables_by_schema(database.url) == {"projects": EXPECTED_TABLES}

        run_alembic(SERVICE_DIR, database.url, "downgrade", "base")
        assert await tables_by_schema(database.url) == {"projects": {"alembic_version"}}

        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        assert await tables_by_schema(database.url) == {"projects": EXPECTED_TABLES}
        current = run_alembic(SERVICE_DIR, database.url, "current")
        assert "0001 (head)" in current.stdout


async def test_the_migrated_schema_matches_the_tables_the_code_uses(database_url: str) -> None:
    # 'alembic check' compares the migrated database with the SQLAlchemy metadata.
    result = run_alembic(SERVICE_DIR, database_url, "check")
    assert "No new upgrade operations detected" in result.stdout + result.stderr


async def test_every_query_has_its_index(database_url: str) -> None:
    rows = await catalog(
        database_url, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'projects'"
    )
    indexes = {row["indexname"]: row["indexdef"] for row in rows}
    assert set(indexes) == EXPECTED_INDEXES
    assert (
        "(owner_id, created_at, id) WHERE (deleted_at IS NULL)" in indexes["ix_projects_owner_live"]
    )
    assert "(project_id, number)" in indexes["pk_tasks"]
