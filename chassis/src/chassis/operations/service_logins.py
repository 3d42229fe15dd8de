"""Each service's own logins: a PostgreSQL role owning only its schema and a RabbitMQ user with
rights on its own exchange and queues only. ``taskboard-logins SERVICE...`` (``make logins``)
creates or updates them through the admin connections (``DATABASE_URL``, ``AMQP_URL``), one
line per service; ``make migrate`` and ``make run`` then connect each service as its own.

Names and passwords come from ``<SERVICE>_DB_USER``, ``<SERVICE>_DB_PASSWORD``,
``<SERVICE>_AMQP_USER``, ``<SERVICE>_AMQP_PASSWORD`` (``ACCOUNTS_DB_PASSWORD``, …); the defaults
are the service's name and development-only passwords (``accounts-dev-db-password``), the same as
docker/README.md's.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

from chassis.operations.broker_users import BrokerAdminError, broker_users
from chassis.operations.database_roles import drop_role, ensure_role
from contracts import broker_permissions

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/taskboard"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


@dataclass(frozen=True)
class ServiceLogin:
    """``service`` (``accounts``) names its schema and its broker permissions; the rest is who
    it logs in as."""

    service: str
    database_user: str
    database_password: str
    broker_user: str
    broker_password: str

    @classmethod
    def from_environment(
        cls, service: str, environ: Mapping[str, str] = os.environ
    ) -> ServiceLogin:
        """Service directories are accepted too: ``accounts-service`` is ``accounts``."""
        service = service.removesuffix("-service")
        prefix = service.upper()
        return cls(
            service=service,
            database_user=environ.get(f"{prefix}_DB_USER") or service,
            database_password=environ.get(f"{prefix}_DB_PASSWORD") or f"{service}-dev-db-password",
            broker_user=environ.get(f"{prefix}_AMQP_USER") or service,
            broker_password=environ.get(f"{prefix}_AMQP_PASSWORD")
            or f"{service}-dev-amqp-password",
        )

    def database_url(self, admin_url: str) -> str:
        """``admin_url`` (server and database) with this service's role and password."""
        return _as(admin_url, self.database_user, self.database_password)

    def amqp_url(self, admin_url: str) -> str:
        """``admin_url`` (broker and vhost) with this service's user and password."""
        return _as(admin_url, self.broker_user, self.broker_password)

    async def ensure(self, admin_database_url: str, admin_amqp_url: str) -> str:
        """Create or update both logins; returns the line that says what they are."""
        await ensure_role(
            admin_database_url,
            role=self.database_user,
            password=self.database_password,
            schema=self.service,
        )
        vhost = _vhost(admin_amqp_url)
        await asyncio.to_thread(
            broker_users(admin_amqp_url).ensure,
            self.broker_user,
            self.broker_password,
            vhost=vhost,
            grant=broker_permissions(self.service),
        )
        database = urlsplit(admin_database_url).path.lstrip("/")
        return (
            f"{self.service}: PostgreSQL role {self.database_user} owns schema {self.service} "
            f"of {database} and nothing else; RabbitMQ user {self.broker_user} may use only "
            f"{self.service}'s exchange and queues on vhost {vhost}"
        )

    async def drop(self, admin_database_url: str, admin_amqp_url: str) -> None:
        """Drop both logins (and what the role owns in that database). For test runs."""
        await drop_role(admin_database_url, role=self.database_user)
        await asyncio.to_thread(broker_users(admin_amqp_url).delete, self.broker_user)


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    login = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


def _vhost(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


async def _ensure_all(services: list[str], database_url: str, amqp_url: str) -> int:
    failed = 0
    for service in services:  # one at a time: they grant on the same database
        login = ServiceLogin.from_environment(service)
        try:
            print(await login.ensure(database_url, amqp_url), flush=True)
        except (OSError, TimeoutError, asyncpg.PostgresError, BrokerAdminError) as error:
            print(
                f"{login.service}: its logins could not be set up: {error or 'timed out'}",
                file=sys.stderr,
                flush=True,
            )
            failed += 1
    return 1 if failed else 0


def main() -> None:
    """``taskboard-logins SERVICE...``: create or update each service's own logins."""
    services = sys.argv[1:]
    if not services or any(s.startswith("-") for s in services):
        sys.exit(
            "usage: taskboard-logins SERVICE...  (e.g. accounts projects; admin connections "
            "from DATABASE_URL and AMQP_URL; see chassis.operations.service_logins)"
        )
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    amqp_url = os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL
    sys.exit(asyncio.run(_ensure_all(services, database_url, amqp_url)))
