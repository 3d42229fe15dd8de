"""A PostgreSQL database of its own for each test run, dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from taskboard_testing.services import require_service

T = TypeVar("T")
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_database_url() -> str:
    """A URL with the right to create databases: DATABASE_URL, else a testcontainer, else the
    local default (the test is skipped, or fails in CI, when nothing answers)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

        container = PostgresContainer("postgres:16-alpine", driver=None)
        container.start()
    except Exception:  # noqa: BLE001 - no Docker here: fall back to the local server
        return DEFAULT_ADMIN_URL
    url = container.get_connection_url()
    os.environ["DATABASE_URL"] = url
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class ThrowawayDatabase(AbstractContextManager["ThrowawayDatabase"]):
    """``with ThrowawayDatabase("accounts") as db: db.url`` — created empty, dropped on exit."""

    def __init__(self, prefix: str, admin_url: str | None = None) -> None:
        self.admin_url = admin_url or admin_database_url()
        self.name = f"test_{prefix}_{uuid.uuid4().hex[:12]}"
        self.url = _with_database(self.admin_url, self.name)

    def __enter__(self) -> ThrowawayDatabase:
        try:
            run_blocking(self._execute(f'CREATE DATABASE "{self.name}"'))
        except (OSError, asyncpg.PostgresError) as error:
            require_service("PostgreSQL", f"{self.admin_url!r}: {error}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        run_blocking(self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    async def _execute(self, statement: str) -> None:
        connection = await asyncpg.connect(_with_database(self.admin_url, "postgres"), timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()


def run_alembic(
    service_dir: Path, database_url: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run the service's real Alembic CLI against ``database_url`` (as ``make migrate`` does)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(  # noqa: S603 - fixed command, our own arguments
        [sys.executable, "-m", "alembic", *args],
        cwd=service_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"alembic {' '.join(args)} failed:\n{result.stderr}")
    return result


@contextmanager
def migrated_database(prefix: str, service_dir: Path) -> Iterator[str]:
    """The URL of a throw-away database migrated to head by the service's own Alembic CLI."""
    with ThrowawayDatabase(prefix) as database:
        run_alembic(service_dir, database.url, "upgrade", "head")
        yield database.url


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from sync code: on a thread of its own, so it works inside a
    running event loop too."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()
