"""A service's RabbitMQ user: its password, no tags, and on one vhost the permissions
``contracts.broker_permissions`` gives the service.

Made through RabbitMQ's management HTTP API when ``RABBITMQ_MANAGEMENT_URL`` is set (e.g.
``http://127.0.0.1:15672``; the admin user and password are those of the admin ``AMQP_URL``),
which works for a broker on another machine; otherwise with ``rabbitmqctl``, which talks to the
node on this machine (``RABBITMQCTL`` may name another command, e.g. ``rabbitmqctl -n
rabbit@HOST`` with that node's Erlang cookie). Passwords never go on a command line.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from contracts import BrokerPermissions

TIMEOUT_SECONDS = 60.0


class BrokerAdminError(RuntimeError):
    """The broker refused or could not be reached: the message says which call and why."""


class BrokerUsers(Protocol):
    def ensure(self, user: str, password: str, *, vhost: str, grant: BrokerPermissions) -> None:
        """Create ``user`` or set its password again, clear its tags, and give it exactly
        ``grant`` on ``vhost`` (its rights on other vhosts are left as they are)."""

    def delete(self, user: str) -> None:
        """Delete ``user``; nothing happens when there is none."""


def broker_users(admin_amqp_url: str) -> BrokerUsers:
    """The management API when ``RABBITMQ_MANAGEMENT_URL`` is set, else ``rabbitmqctl``."""
    management = os.environ.get("RABBITMQ_MANAGEMENT_URL")
    if management:
        parts = urlsplit(admin_amqp_url)
        return ManagementApi(
            management, unquote(parts.username or "guest"), unquote(parts.password or "guest")
        )
    return Rabbitmqctl(shlex.split(os.environ.get("RABBITMQCTL") or "rabbitmqctl"))


class Rabbitmqctl:
    def __init__(self, command: list[str]) -> None:
        self.command = command

    def ensure(self, user: str, password: str, *, vhost: str, grant: BrokerPermissions) -> None:
        if not self._run("add_user", user, stdin=password, exists_ok=True):
            self._run("change_password", user, stdin=password)
        self._run("set_user_tags", user)
        self._run("set_permissions", "-p", vhost, user, grant.configure, grant.write, grant.read)

    def delete(self, user: str) -> None:
        self._run("delete_user", user, missing_ok=True)

    def _run(
        self,
        *args: str,
        stdin: str | None = None,
        missing_ok: bool = False,
        exists_ok: bool = False,
    ) -> bool:
        """False when it failed only because the user exists (``exists_ok``) or does not
        (``missing_ok``)."""
        try:
            result = subprocess.run(  # noqa: S603 - an admin tool, our own arguments
                [*self.command, *args],
                input=stdin,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise BrokerAdminError(f"{self.command[0]} {args[0]} failed: {error}") from error
        if result.returncode == 0:
            return True
        said = " ".join((result.stderr or result.stdout).split())
        if (exists_ok and "already exists" in said) or (missing_ok and "does not exist" in said):
            return False
        raise BrokerAdminError(f"{self.command[0]} {args[0]} failed: {said}")


class ManagementApi:
    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url.rstrip("/")
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._authorization = f"Basic {credentials}"

    def ensure(self, user: str, password: str, *, vhost: str, grant: BrokerPermissions) -> None:
        self._call("PUT", f"users/{_segment(user)}", {"password": password, "tags": ""})
        self._call(
            "PUT",
            f"permissions/{_segment(vhost)}/{_segment(user)}",
            {"configure": grant.configure, "write": grant.write, "read": grant.read},
        )

    def delete(self, user: str) -> None:
        self._call("DELETE", f"users/{_segment(user)}", None, missing_ok=True)

    def _call(
        self, method: str, path: str, body: dict[str, str] | None, *, missing_ok: bool = False
    ) -> None:
        request = urllib.request.Request(  # noqa: S310 - the operator's own management URL
            f"{self.url}/api/{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": self._authorization, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
                return
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return
            said = error.read(300).decode(errors="replace")
            raise BrokerAdminError(f"{method} {self.url}/api/{path}: {error.code} {said}") from None
        except OSError as error:
            raise BrokerAdminError(f"{method} {self.url}/api/{path}: {error}") from None


def _segment(name: str) -> str:
    return quote(name, safe="")
