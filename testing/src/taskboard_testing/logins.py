"""Each service's own PostgreSQL role and RabbitMQ user for one test run: unique names, dropped
afterwards (roles and broker users belong to the whole server, not to a database or vhost)."""

from __future__ import annotations

import secrets
import uuid
from contextlib import AbstractContextManager

from chassis.operations.service_logins import ServiceLogin
from taskboard_testing.postgres import run_blocking

SERVICES = ("accounts", "projects")


class ThrowawayLogins(AbstractContextManager["ThrowawayLogins"]):
    """``with ThrowawayLogins(database.url, vhost.url) as logins:`` — ``logins["accounts"]`` is
    accounts' :class:`ServiceLogin`, on the database and vhost of those admin URLs.

    With ``create=True`` (the default) they are made on entry, as ``make logins`` makes them;
    otherwise only named (``environment()`` hands the names to a ``make run``). Dropped on exit
    either way, with whatever the roles own in that database."""

    def __init__(self, database_url: str, amqp_url: str, *, create: bool = True) -> None:
        self.database_url = database_url
        self.amqp_url = amqp_url
        self.create = create
        run = uuid.uuid4().hex[:10]
        self.logins = {
            service: ServiceLogin(
                service=service,
                database_user=f"test_{run}_{service}",
                database_password=secrets.token_urlsafe(16),
                broker_user=f"test_{run}_{service}",
                broker_password=secrets.token_urlsafe(16),
            )
            for service in SERVICES
        }

    def __getitem__(self, service: str) -> ServiceLogin:
        return self.logins[service]

    def environment(self) -> dict[str, str]:
        """The variables ``make logins`` / ``make run`` read the logins from."""
        env = {}
        for service, login in self.logins.items():
            prefix = service.upper()
            env[f"{prefix}_DB_USER"] = login.database_user
            env[f"{prefix}_DB_PASSWORD"] = login.database_password
            env[f"{prefix}_AMQP_USER"] = login.broker_user
            env[f"{prefix}_AMQP_PASSWORD"] = login.broker_password
        return env

    def __enter__(self) -> ThrowawayLogins:
        if self.create:
            try:
                for login in self.logins.values():  # one at a time: same database
                    run_blocking(login.ensure(self.database_url, self.amqp_url))
            except BaseException:
                self.__exit__(None, None, None)
                raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Roles and broker users belong to the whole server: one failure must not leave the
        # other service's behind.
        errors = []
        for login in self.logins.values():
            try:
                run_blocking(login.drop(self.database_url, self.amqp_url))
            except Exception as error:  # noqa: BLE001 - raised together below
                errors.append(error)
        if errors:
            raise ExceptionGroup("dropping the throw-away logins failed", errors)
