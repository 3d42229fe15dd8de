"""A service's RabbitMQ user, made with ``rabbitmqctl``: its password, no tags, and on one vhost
the permissions ``contracts.broker_permissions`` gives the service.

``rabbitmqctl`` talks to the node on this machine; for another one set ``RABBITMQCTL`` to the
command that reaches it (``rabbitmqctl -n rabbit@HOST``, with that node's Erlang cookie).
Passwords go through standard input, never on a command line.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from contracts import BrokerPermissions

TIMEOUT_SECONDS = 60.0


class BrokerAdminError(RuntimeError):
    """rabbitmqctl failed: the message says which command and why."""


def ensure_user(user: str, password: str, *, vhost: str, permissions: BrokerPermissions) -> None:
    """Create ``user`` or set its password again, clear its tags, and give it exactly
    ``permissions`` on ``vhost`` (its rights on other vhosts are left as they are)."""
    added = _rabbitmqctl("add_user", user, stdin=password, missing_ok=False, exists_ok=True)
    if not added:
        _rabbitmqctl("change_password", user, stdin=password)
    _rabbitmqctl("set_user_tags", user)
    _rabbitmqctl(
        "set_permissions",
        "-p",
        vhost,
        user,
        permissions.configure,
        permissions.write,
        permissions.read,
    )


def delete_user(user: str) -> None:
    """Delete ``user`` (nothing happens when there is none). For test runs' users."""
    _rabbitmqctl("delete_user", user, missing_ok=True)


def _rabbitmqctl(
    *args: str, stdin: str | None = None, missing_ok: bool = False, exists_ok: bool = False
) -> bool:
    """Run one command; False when it failed only because the user exists (``exists_ok``) or
    does not (``missing_ok``)."""
    command = [*shlex.split(os.environ.get("RABBITMQCTL") or "rabbitmqctl"), *args]
    try:
        result = subprocess.run(  # noqa: S603 - an admin tool, our own arguments
            command,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BrokerAdminError(f"{shlex.join(command[:2])} failed: {error}") from error
    if result.returncode == 0:
        return True
    said = " ".join((result.stderr or result.stdout).split())
    if (exists_ok and "already exists" in said) or (missing_ok and "does not exist" in said):
        return False
    raise BrokerAdminError(f"rabbitmqctl {args[0]} {args[1]} failed: {said}")
