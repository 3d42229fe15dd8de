"""`make run` as a user types it in a terminal: one line per start-up step, one "ready" line with
the URLs, and Ctrl-C (a real ^C through a pseudo-terminal) ends it with exit status 0.

It runs on its own database, RabbitMQ vhost, service logins (`make logins` makes them with the
names given here; they are dropped afterwards), signing key and free ports, so it can run beside
a developer's `make run`."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import socket
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from taskboard_testing import make_run_environment
from taskboard_testing.sockets import free_port

from .stack import REPO


class Terminal:
    """A process run with a pseudo-terminal as its controlling terminal, as a shell would."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.output = ""
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            # A session of its own, whose controlling terminal the pseudo-terminal becomes.
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # noqa: PLW1509
        )
        os.close(slave)

    def read_until(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                return text in self.output
        return True

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], min(timeout, 1.0))
        if not ready:
            return self.process.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every holder of the terminal's other side has closed it
            return False
        self.output += chunk.decode(errors="replace")
        return bool(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(deadline - time.monotonic())
        return self.process.wait(timeout=1)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def terminal_make_run(tmp_path: Path) -> Iterator[Terminal]:
    variables = {
        "GATEWAY_PORT": str(free_port()),
        "ACCOUNTS_PORT": str(free_port()),
        "PROJECTS_PORT": str(free_port()),
        "TERM": "dumb",
    }
    keys = tmp_path / "signing-keys"  # made by make run
    with make_run_environment("makerun", keys, variables) as env:
        terminal = Terminal(["make", "--no-print-directory", "run"], env)
        try:
            yield terminal
        finally:
            terminal.close()


def test_make_run_says_each_step_then_ready_and_ctrl_c_exits_0(
    terminal_make_run: Terminal, tmp_path: Path
) -> None:
    terminal = terminal_make_run
    assert terminal.read_until("ready in", timeout=240), terminal.output[-3000:]
    # The first start made the development key ring: one key, signing from now on.
    assert len(list((tmp_path / "signing-keys").glob("*.pem"))) == 1
    assert "wrote a new Ed25519 signing key, active now" in terminal.output
    for line in (
        "preflight: PostgreSQL at",
        "preflight: RabbitMQ at",
        "database: test_makerun_",
        "accounts: PostgreSQL role test_",
        "projects: PostgreSQL role test_",
        "accounts: database upgraded from empty to",
        "projects: database upgraded from empty to",
        "accounts: RabbitMQ exchange and queues declared",
        "projects: RabbitMQ exchange and queues declared",
        "/api/docs",
    ):
        assert line in terminal.output, (line, terminal.output[-3000:])

    terminal.type(b"\x03")  # Ctrl-C: SIGINT to the terminal's foreground process group

    assert terminal.wait(timeout=60) == 0, terminal.output[-3000:]
    assert "Error 130" not in terminal.output
    assert "stopped" in terminal.output


def test_a_taken_port_stops_make_run_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as other_stack:
        other_stack.bind(("127.0.0.1", 0))
        other_stack.listen(1)
        taken = other_stack.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "run.py"), str(tmp_path / "Procfile")],
            env={
                **os.environ,
                "GATEWAY_PORT": str(taken),
                "ACCOUNTS_PORT": str(free_port()),
                "PROJECTS_PORT": str(free_port()),
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"port {taken} (gateway) is taken (another stack?)")
    assert "GATEWAY_PORT=9000" in result.stderr
