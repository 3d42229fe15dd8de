"""A service's PostgreSQL role: a login that owns the schema of the service's name, nothing more.

The same model as docker/postgres/init.sh and the Kubernetes cluster's bootstrap: the role may
connect to the database and create in it (each service's Alembic environment runs ``CREATE SCHEMA
IF NOT EXISTS`` for its schema, which needs that right even when the schema exists), owns its
schema and everything in it, and holds no right on any other schema; nobody creates objects in
``public``. Run as a superuser (or the database's owner with CREATEROLE), it is idempotent: the
role's password is set again, and objects an earlier run created in the schema as another role
(``make run`` before least privilege connected as ``postgres``) are handed to the role.
"""

from __future__ import annotations

import asyncpg

TIMEOUT_SECONDS = 10.0

# Relations (tables, partitioned tables, views, materialized views, foreign tables) and
# sequences of the schema not owned by the role; a sequence owned by a column moves with its
# table (ALTER TABLE ... OWNER), so it is left out.
_FOREIGN_RELATIONS = """
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, $2::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
  )
"""
_FOREIGN_ROUTINES = """
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
"""
_FOREIGN_TYPES = """
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $2::text)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r', 'm')
  AND t.typowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
"""


async def ensure_role(admin_url: str, *, role: str, password: str, schema: str) -> None:
    """Create or update ``role`` so that it owns ``schema`` (created if missing) in the database
    of ``admin_url`` and may do nothing else there."""
    connection = await asyncpg.connect(admin_url, timeout=TIMEOUT_SECONDS)
    try:
        async with connection.transaction():
            exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            await _run(
                connection,
                f"{verb} ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS PASSWORD %L",
                role,
                password,
            )
            await connection.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            database = await connection.fetchval("SELECT current_database()")
            await _run(connection, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
            await _run(
                connection, "GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO %I", database, role
            )
            await _run(connection, "CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", schema, role)
            await _run(connection, "ALTER SCHEMA %I OWNER TO %I", schema, role)
            await _run(connection, "REVOKE ALL ON SCHEMA %I FROM PUBLIC", schema)
            for query in (_FOREIGN_RELATIONS, _FOREIGN_ROUTINES, _FOREIGN_TYPES):
                for statement in await connection.fetch(query, schema, role):
                    await connection.execute(statement[0])
    finally:
        await connection.close()


async def drop_role(admin_url: str, *, role: str) -> None:
    """Drop ``role`` and whatever it owns in the database of ``admin_url`` (its schema with its
    tables); it must own nothing in any other database. For test runs' roles."""
    connection = await asyncpg.connect(admin_url, timeout=TIMEOUT_SECONDS)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await connection.execute("SET lock_timeout = '30s'")  # fail, never hang a test run
            await _run(connection, "DROP OWNED BY %I CASCADE", role)
            await _run(connection, "DROP ROLE %I", role)
    finally:
        await connection.close()


async def _run(connection: asyncpg.Connection, template: str, *names: str) -> None:
    """Run a statement whose identifiers (%I) and literals (%L) PostgreSQL's format() quotes:
    DDL takes no bind parameters."""
    placeholders = ", ".join(f"${i}::text" for i in range(1, len(names) + 1))
    statement = await connection.fetchval(f"SELECT format('{template}', {placeholders})", *names)
    await connection.execute(statement)
