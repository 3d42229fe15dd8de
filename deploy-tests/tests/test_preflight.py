"""`make preflight` logs in to both servers, and no start-up step waits for ever."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from taskboard_testing import ThrowawayDatabase, ThrowawayLogins, ThrowawayVhost
from taskboard_testing.rabbitmq import amqp_url
from taskboard_testing.services import require_service

from .stack import REPO

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def with_user(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{user}:{password}@{parts.hostname}:{parts.port or ''}".rstrip(":")
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture(scope="module")
def servers() -> tuple[str, str]:
    """DATABASE_URL and AMQP_URL that log in (skip here, fail in CI, when they do not)."""
    result = run("check_services.py", DATABASE_URL=DATABASE_URL, AMQP_URL=amqp_url())
    if result.returncode != 0:
        require_service("PostgreSQL and RabbitMQ", result.stderr.strip())
    return DATABASE_URL, amqp_url()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_preflight_says_in_one_line_each_that_both_logins_work(servers: tuple[str, str]) -> None:
    database_url, broker_url = servers
    result = run("check_services.py", DATABASE_URL=database_url, AMQP_URL=broker_url)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("preflight: PostgreSQL at ")
    assert "logged in as" in lines[0]
    assert lines[1].startswith("preflight: RabbitMQ at ")
    assert "logged in as" in lines[1]


def test_a_wrong_rabbitmq_password_fails_the_preflight_in_one_line(
    servers: tuple[str, str],
) -> None:
    database_url, broker_url = servers
    parts = urlsplit(broker_url)
    wrong = with_user(broker_url, parts.username or "guest", "not-the-password")
    result = run("check_services.py", DATABASE_URL=database_url, AMQP_URL=wrong)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"preflight: RabbitMQ at {parts.hostname}:{parts.port or 5672} refused the login of "
        f"{parts.username or 'guest'!r} (ACCESS_REFUSED): fix the user or password in AMQP_URL"
    ]


def test_an_unknown_postgresql_user_fails_the_preflight_in_one_line(
    servers: tuple[str, str],
) -> None:
    database_url, broker_url = servers
    wrong = with_user(database_url, "no_such_user_17", "nothing")
    result = run("check_services.py", DATABASE_URL=wrong, AMQP_URL=broker_url)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "refused the login of 'no_such_user_17'" in line
    assert line.endswith("fix the user or password in DATABASE_URL")


def test_a_server_that_never_answers_fails_the_preflight_within_its_timeout(
    silent_server: int,
) -> None:
    started = time.monotonic()
    result = run(
        "check_services.py",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent_server}/taskboard",
        AMQP_URL=f"amqp://guest:guest@127.0.0.1:{silent_server}/",
        PREFLIGHT_TIMEOUT_SECONDS="1",
    )
    assert result.returncode == 1
    assert time.monotonic() - started < 30
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"preflight: PostgreSQL at 127.0.0.1:{silent_server} is not reach")
    assert lines[1].startswith(f"preflight: RabbitMQ at 127.0.0.1:{silent_server} is not reach")


def test_declaring_the_topology_with_a_wrong_password_fails_within_its_timeout(
    servers: tuple[str, str],
) -> None:
    database_url, broker_url = servers
    with (
        ThrowawayDatabase("preflight", admin_url=database_url) as database,
        ThrowawayVhost("preflight", base_url=broker_url) as vhost,
        ThrowawayLogins(database.url, vhost.url) as logins,
    ):
        result = run(
            "migrate.py",
            "accounts-service",
            DATABASE_URL=database.url,
            AMQP_URL=vhost.url,
            TOPOLOGY_TIMEOUT_SECONDS="5",
            **{**logins.environment(), "ACCOUNTS_AMQP_PASSWORD": "not-the-password"},
        )
    assert result.returncode == 1
    assert "accounts: database upgraded from empty to" in result.stdout
    assert result.stderr.startswith("accounts: accounts-worker --declare-topology ")
