"""``make preflight``: log in to PostgreSQL and RabbitMQ with the credentials the stack will use.

One line per server: what answered, or what is wrong and how to fix it. Each login is bounded
(``PREFLIGHT_TIMEOUT_SECONDS``, default 5), so a server that accepts the connection but never
answers fails here instead of hanging a later step.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from urllib.parse import unquote, urlsplit

import aio_pika
import aiormq
import asyncpg

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/taskboard"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
START_POSTGRES = "start it (e.g. 'pg_ctlcluster 15 main start') or point DATABASE_URL at one"
START_RABBITMQ = "start it (e.g. 'rabbitmq-server -detached') or point AMQP_URL at one"


class Refused(Exception):
    """The server answered and said no, or did not answer: the message is the one line to show."""


def _timeout() -> float:
    return float(os.environ.get("PREFLIGHT_TIMEOUT_SECONDS", "5"))


def _where(url: str, default_port: int) -> tuple[str, int, str]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port, unquote(parts.username or "")


async def check_postgres(url: str) -> str:
    host, port, user = _where(url, 5432)
    database = urlsplit(url).path.lstrip("/") or user
    server = f"PostgreSQL at {host}:{port}"
    try:
        connection = await asyncio.wait_for(asyncpg.connect(url, timeout=_timeout()), _timeout())
    except asyncpg.InvalidCatalogNameError:
        # Authentication comes before the database is looked up: the login itself worked.
        return f"{server}: logged in as {user}; database {database} is created next (make db)"
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as error:
        raise Refused(
            f"{server} refused the login of {user!r} ({error}): fix the user or password in "
            "DATABASE_URL"
        ) from error
    except (OSError, TimeoutError) as error:
        raise Refused(
            f"{server} is not reachable ({error or 'timed out'}): {START_POSTGRES}"
        ) from None
    except asyncpg.PostgresError as error:
        raise Refused(f"{server} refused the connection: {error}") from error
    try:
        version = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return f"{server}: logged in as {user}, database {database} (server {version})"


async def check_rabbitmq(url: str) -> str:
    host, port, user = _where(url, 5672)
    vhost = unquote(urlsplit(url).path[1:]) or "/"
    server = f"RabbitMQ at {host}:{port}"
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url, timeout=_timeout()), _timeout())
    except aiormq.exceptions.ProbableAuthenticationError as error:
        raise Refused(
            f"{server} refused the login of {user!r} (ACCESS_REFUSED): fix the user or password "
            "in AMQP_URL"
        ) from error
    except aiormq.exceptions.ProtocolSyntaxError as error:
        # The broker closes the handshake at Connection.Open: the vhost is missing or not allowed.
        raise Refused(
            f"{server} accepted {user!r} but not the vhost {vhost!r} (it is missing or the user "
            "has no permission on it): fix AMQP_URL or 'rabbitmqctl add_vhost' / 'set_permissions'"
        ) from error
    except (OSError, TimeoutError, aiormq.exceptions.AMQPConnectionError) as error:
        raise Refused(
            f"{server} is not reachable ({error or 'timed out'}): {START_RABBITMQ}"
        ) from None
    await connection.close()
    return f"{server}: logged in as {user}, vhost {vhost}"


async def preflight(database_url: str, amqp_url: str) -> int:
    failed = 0
    for check, url in ((check_postgres, database_url), (check_rabbitmq, amqp_url)):
        try:
            print(f"preflight: {await check(url)}", flush=True)
        except Refused as refused:
            print(f"preflight: {refused}", file=sys.stderr, flush=True)
            failed += 1
    return 1 if failed else 0


def main() -> int:
    # aiormq logs the failed connect attempt itself; the one line above says it better.
    logging.basicConfig(level=logging.CRITICAL)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    amqp_url = os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)
    return asyncio.run(preflight(database_url, amqp_url))


if __name__ == "__main__":
    sys.exit(main())
