"""``make migrate``: bring each service's schema and RabbitMQ topology up to date, one line a step.

    python scripts/migrate.py accounts-service projects-service

For each service, and all at the same time (the services share nothing, and a service's queues
do not depend on its schema): read the revision its database is at and its migrations' head, and
run ``alembic upgrade head`` only when they differ; declare its exchange and queues with
``<package>-worker --declare-topology``. Both run as the service's own PostgreSQL role and
RabbitMQ user (``make logins``; ``chassis.operations.service_logins``), on the server, database
and vhost of ``DATABASE_URL`` and ``AMQP_URL``. Each line names its service. Every step is bounded
(``MIGRATE_TIMEOUT_SECONDS``, default 120; ``TOPOLOGY_TIMEOUT_SECONDS``, default 60): a step that
cannot finish says so and the whole command fails, instead of waiting for ever.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import asyncpg

from chassis.operations.service_logins import DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL, ServiceLogin

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class StepFailed(Exception):
    """A step did not finish; the message is what to show."""


def package_of(service: str) -> str:
    """``accounts-service`` → ``accounts``: its package, its schema and its worker's prefix."""
    return service.removesuffix("-service")


def planned(service: str, current: str | None) -> tuple[str, list[str]]:
    """The head revision of a service's migrations and the revisions to apply from ``current``."""
    # Imported here, once the topology steps have started: the import of Alembic (and of
    # SQLAlchemy with it) is most of this step's time when the database is up to date.
    from alembic.config import Config  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from alembic.util import CommandError  # noqa: PLC0415

    script = ScriptDirectory.from_config(Config(str(REPO / service / "alembic.ini")))
    head = script.get_current_head()
    assert head is not None, f"{service} has no migrations"
    try:
        known = current is None or script.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise StepFailed(
            f"the database is at revision {current}, which this checkout's migrations do not "
            "know (did a newer checkout migrate it? point DATABASE_URL at another database)"
        )
    pending = [rev.revision for rev in script.iterate_revisions(head, current or "base")]
    return head, list(reversed(pending))


async def current_revision(database_url: str, schema: str, timeout: float) -> str | None:
    connection = await asyncpg.connect(database_url, timeout=timeout)
    try:
        return await connection.fetchval(  # type: ignore[no-any-return]
            f'SELECT version_num FROM "{schema}".alembic_version'  # noqa: S608 - our schema name
        )
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return None
    finally:
        await connection.close()


def as_service(name: str) -> dict[str, str]:
    """The environment of a step run as the service's own logins."""
    login = ServiceLogin.from_environment(name)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    amqp_url = os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL
    return {
        **os.environ,
        "DATABASE_URL": login.database_url(database_url),
        "AMQP_URL": login.amqp_url(amqp_url),
    }


async def run_bounded(
    argv: list[str], cwd: Path, timeout: float, what: str, env: dict[str, str]
) -> float:
    """Run a command with its output captured; return its duration, or fail saying why."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        raise StepFailed(
            f"{what} did not finish within {timeout:.0f} s (is the server answering, are the "
            f"credentials right? 'make preflight' checks both){_tail(output)}"
        ) from None
    if process.returncode != 0:
        raise StepFailed(f"{what} failed (exit {process.returncode}){_tail(output)}")
    return time.monotonic() - started


def _tail(output: bytes, lines: int = 15) -> str:
    text = output.decode(errors="replace").strip()
    return ("; its last output:\n" + "\n".join(text.splitlines()[-lines:])) if text else ""


async def migrate(service: str, database_url: str) -> None:
    """Bring the service's schema to its head revision, one line saying what was done."""
    name = package_of(service)
    timeout = float(os.environ.get("MIGRATE_TIMEOUT_SECONDS", "120"))
    try:
        current = await asyncio.wait_for(current_revision(database_url, name, timeout), timeout)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        raise StepFailed(f"cannot read the database's revision ({error or 'timed out'})") from None
    # In a thread: the import of Alembic must not hold up the topology steps' output.
    head, pending = await asyncio.to_thread(planned, service, current)
    if not pending:
        print(f"{name}: database at revision {head}, nothing to apply", flush=True)
        return
    took = await run_bounded(
        [str(BIN / "alembic"), "upgrade", "head"],
        REPO / service,
        timeout,
        "alembic upgrade head",
        as_service(name),
    )
    print(
        f"{name}: database upgraded from {current or 'empty'} to {head} "
        f"(applied {', '.join(pending)}) in {took:.1f} s",
        flush=True,
    )


async def declare_topology(service: str) -> None:
    """Declare the service's exchange and its consumers' queues, one line saying so."""
    name = package_of(service)
    took = await run_bounded(
        [str(BIN / f"{name}-worker"), "--declare-topology"],
        REPO,
        float(os.environ.get("TOPOLOGY_TIMEOUT_SECONDS", "60")),
        f"{name}-worker --declare-topology",
        as_service(name),
    )
    print(f"{name}: RabbitMQ exchange and queues declared in {took:.1f} s", flush=True)


async def migrate_all(services: list[str], database_url: str) -> int:
    # The topology steps first: their processes start before this one imports Alembic.
    steps = [(service, declare_topology(service)) for service in services]
    steps += [(service, migrate(service, database_url)) for service in services]
    results = await asyncio.gather(*(step for _, step in steps), return_exceptions=True)
    failed = 0
    for (service, _), result in zip(steps, results, strict=True):
        if isinstance(result, StepFailed):
            print(f"{package_of(service)}: {result}", file=sys.stderr, flush=True)
            failed += 1
        elif isinstance(result, BaseException):
            raise result
    return 1 if failed else 0


def main() -> int:
    services = sys.argv[1:]
    if not services:
        sys.exit("usage: migrate.py SERVICE_DIR...")
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return asyncio.run(migrate_all(services, database_url))


if __name__ == "__main__":
    sys.exit(main())
