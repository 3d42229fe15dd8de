"""Outages a fault test causes on this machine's RabbitMQ and PostgreSQL, each undone whatever
happens: the restore starts the service again and again until it answers, within a deadline, so
a failing test never leaves it down for the next one (or for another run on this machine)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from taskboard_testing import rabbitmqctl
from taskboard_testing.services import require_service

LOCAL = {"127.0.0.1", "localhost", "::1"}
RESTORE_SECONDS = 180.0  # a node or cluster start on a loaded machine; a failure after that


@contextlib.contextmanager
def rabbitmq_app_stopped() -> Iterator[None]:
    """RabbitMQ's app stopped (``rabbitmqctl stop_app``) for the block, started again after it,
    however the block (or the stop itself) ends."""
    try:
        rabbitmqctl("stop_app")
        yield
    finally:
        restore_rabbitmq()


def restore_rabbitmq(deadline: float = RESTORE_SECONDS) -> None:
    """``start_app`` until ``await_startup`` says the app runs (both are no-ops on a running
    app); raises at the deadline with the last error."""
    give_up = time.monotonic() + deadline
    while True:
        try:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            if time.monotonic() > give_up:
                raise AssertionError(f"RabbitMQ not back within {deadline}s: {error}") from error
            time.sleep(1)
        else:
            return


class PostgresCluster:
    """The local PostgreSQL cluster behind ``database_url``, driven with ``pg_ctlcluster``; the
    test is skipped where there is none (a remote server, no Debian cluster tools)."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
        executable = shutil.which("pg_ctlcluster")
        if not versions or executable is None or parts.hostname not in LOCAL | {None}:
            require_service("a local PostgreSQL cluster", "no pg_ctlcluster or /etc/postgresql")
        self._command = [executable or "pg_ctlcluster", "--skip-systemctl-redirect"]
        self._command += [versions[-1], "main"]
        self._host = parts.hostname or "127.0.0.1"
        self._port = str(parts.port or 5432)

    def restart(self) -> None:
        subprocess.run([*self._command, "restart"], check=True, capture_output=True, timeout=120)

    def answers(self) -> bool:
        """Accepting connections (``pg_isready``)."""
        result = subprocess.run(
            ["pg_isready", "-q", "-h", self._host, "-p", self._port, "-t", "5"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        return result.returncode == 0

    def restore(self, deadline: float = RESTORE_SECONDS) -> None:
        """Start the cluster until it answers (a start of a running cluster only fails);
        raises at the deadline."""
        give_up = time.monotonic() + deadline
        while not self.answers():
            if time.monotonic() > give_up:
                raise AssertionError(f"PostgreSQL not back within {deadline}s")
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                subprocess.run(
                    [*self._command, "start"], check=True, capture_output=True, timeout=120
                )
            time.sleep(0.5)
