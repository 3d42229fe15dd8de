"""A RabbitMQ virtual host of its own for each test run, so exchange and queue names never
collide with a running stack or another run. Deleted afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from contextlib import AbstractContextManager
from urllib.parse import quote, urlsplit, urlunsplit

from taskboard_testing.services import require_service

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def amqp_url() -> str:
    return os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)


def rabbitmqctl(*args: str) -> str:
    """Run rabbitmqctl (the broker on this machine); raises when it fails."""
    executable = shutil.which("rabbitmqctl")
    if executable is None:
        raise FileNotFoundError("rabbitmqctl is not installed here")
    result = subprocess.run(  # noqa: S603 - fixed tool, our own arguments
        [executable, *args], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


class ThrowawayVhost(AbstractContextManager["ThrowawayVhost"]):
    """``with ThrowawayVhost("accounts") as vhost: vhost.url``."""

    def __init__(self, prefix: str, base_url: str | None = None) -> None:
        self.base_url = base_url or amqp_url()
        self.name = f"test_{prefix}_{uuid.uuid4().hex[:12]}"
        parts = urlsplit(self.base_url)
        self.user = parts.username or "guest"
        self.url = urlunsplit(parts._replace(path="/" + quote(self.name, safe="")))
        self._local = parts.hostname in LOCAL_HOSTS

    def __enter__(self) -> ThrowawayVhost:
        if not self._local or shutil.which("rabbitmqctl") is None:
            require_service(
                "a RabbitMQ this test can add a vhost to",
                f"{self.base_url} is not on this machine or rabbitmqctl is missing",
            )
        try:
            rabbitmqctl("add_vhost", self.name)
            self.grant()
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            require_service("RabbitMQ", str(error))
        return self

    def grant(self) -> None:
        """Give the user every right on the vhost (done on entry)."""
        rabbitmqctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")

    def revoke(self) -> None:
        """Take the user's rights away: its new connections to the vhost are refused (open
        ones keep working until closed), so a test can hold an outage open as long as it needs."""
        rabbitmqctl("clear_permissions", "-p", self.name, self.user)

    def close_connections(self) -> int:
        """Close every client connection to this vhost from the broker's side (as a node
        maintenance or a network cut does); never touches another vhost. Returns how many."""
        listing = rabbitmqctl("list_connections", "--silent", "pid", "vhost")
        closed = 0
        for line in listing.splitlines():
            pid, _, vhost = line.strip().partition("\t")
            if vhost == self.name and pid.startswith("<"):
                try:
                    rabbitmqctl("close_connection", pid, "closed by a test")
                except RuntimeError:
                    continue  # it went away meanwhile
                closed += 1
        return closed

    def __exit__(self, *exc_info: object) -> None:
        # On a busy machine the CLI can fail to reach the node once: try again before failing.
        for tries_left in reversed(range(3)):
            try:
                rabbitmqctl("delete_vhost", self.name)
            except (RuntimeError, subprocess.TimeoutExpired):
                if not tries_left:
                    raise
            else:
                return
