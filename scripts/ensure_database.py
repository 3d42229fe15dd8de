"""Create the database named in a postgresql:// URL if it does not exist yet (``make db``)."""

import asyncio
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        connection = await asyncpg.connect(maintenance, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        sys.exit(
            f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432} ({error}). "
            "Start it (e.g. 'pg_ctlcluster 15 main start') or set DATABASE_URL."
        )
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            print(f"database: {name} exists", flush=True)
        else:
            await connection.execute(f'CREATE DATABASE "{name}"')
            print(f"database: created {name}", flush=True)
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(ensure_database(sys.argv[1]))
