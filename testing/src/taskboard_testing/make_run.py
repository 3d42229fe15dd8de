"""The environment of a ``make run`` of its own, so a test can run one beside a developer's."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from taskboard_testing.logins import ThrowawayLogins
from taskboard_testing.postgres import ThrowawayDatabase
from taskboard_testing.rabbitmq import ThrowawayVhost

# Would point the run at another stack's services or key, or make it a sub-make of the test's.
NOT_INHERITED = (
    "ACCOUNTS_URL",
    "PROJECTS_URL",
    "ACCOUNTS_URLS",
    "PROJECTS_URLS",
    "JWKS_URL",
    "MAKEFLAGS",
    "MAKELEVEL",
    "JWT_PRIVATE_KEY",
    "JWT_PRIVATE_KEY_FILE",
)


@contextmanager
def make_run_environment(
    prefix: str, signing_keys_dir: Path, variables: Mapping[str, str]
) -> Iterator[dict[str, str]]:
    """This process's environment for ``make run``, on a throw-away database and vhost named
    after ``prefix`` and throw-away service logins (named only: ``make logins`` makes them),
    its key ring in ``signing_keys_dir``, bcrypt at its cheapest, then ``variables`` (ports…);
    of this process's own variables, none of :data:`NOT_INHERITED`. Database, vhost and
    logins are dropped on exit."""
    with (
        ThrowawayDatabase(prefix) as database,
        ThrowawayVhost(prefix) as vhost,
        ThrowawayLogins(database.url, vhost.url, create=False) as logins,
    ):
        inherited = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        yield {
            **inherited,
            **logins.environment(),
            "DATABASE_URL": database.url,
            "AMQP_URL": vhost.url,
            "SIGNING_KEYS_DIR": str(signing_keys_dir),
            "BCRYPT_ROUNDS": "4",
            **variables,
        }
