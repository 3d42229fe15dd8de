"""The Alembic history applies on an empty database, reverts to nothing, and applies again."""

import asyncio

import asyncpg

from projects.infrastructure.persistence.tables import messages
from taskboard_testing import ThrowawayDatabase, run_alembic

from .conftest import SERVICE_DIR

EXPECTED_TABLES = {
    "alembic_version",
    "idempotency_keys",
    "inbox",
    "outbox",
    "projects",
    "revoked_tokens",
    "tasks",
}
EXPECTED_INDEXES = {
    "projects_pkey",
    "ix_projects_owner_live",
    "pk_tasks",
    "outbox_pkey",
    "ix_outbox_unpublished",
    "pk_inbox",
    "alembic_version_pkc",
    "pk_idempotency_keys",
    "ix_idempotency_keys_expires_at",
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
        assert "0006 (head)" in current.stdout


async def test_the_outbox_trigger_comes_and_goes_with_its_migration() -> None:
    with ThrowawayDatabase("projects_migrations") as database:
        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        assert await outbox_triggers(database.url) == ["outbox_notify"]

        run_alembic(SERVICE_DIR, database.url, "downgrade", "0001")
        assert await outbox_triggers(database.url) == []
        functions = await catalog(
            database.url,
            "SELECT proname FROM pg_proc WHERE pronamespace = 'projects'::regnamespace",
        )
        assert functions == []


async def outbox_triggers(url: str) -> list[str]:
    rows = await catalog(
        url,
        "SELECT tgname FROM pg_trigger "
        "WHERE tgrelid = 'projects.outbox'::regclass AND NOT tgisinternal",
    )
    return [row["tgname"] for row in rows]


async def test_an_outbox_insert_notifies_the_relay_on_commit_only(database_url: str) -> None:
    # Rows already marked published, so the running relay leaves them alone.
    insert = (
        "INSERT INTO projects.outbox (message_id, message_type, exchange, routing_key, body,"
        " correlation_id, aggregate_id, aggregate_version, occurred_at, published_at)"
        " VALUES (gen_random_uuid(), 'T', 'x', 'k', '{}', 'c', gen_random_uuid(), 1, now(), now())"
    )
    payloads: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database_url)
    writer = await asyncpg.connect(database_url)
    try:
        await listener.add_listener(messages.channel, lambda *args: payloads.put_nowait(args[3]))
        rolled_back = writer.transaction()
        await rolled_back.start()
        await writer.execute(insert)
        await rolled_back.rollback()
        async with writer.transaction():
            await writer.execute(insert)
            await writer.execute(insert)
        await writer.execute("SELECT pg_notify($1, 'marker')", messages.channel)
        received = [await asyncio.wait_for(payloads.get(), timeout=5) for _ in range(2)]
    finally:
        await listener.close()
        await writer.close()

    # Nothing for the rolled-back insert; one (folded) notification for the committed ones.
    assert received == ["", "marker"]
