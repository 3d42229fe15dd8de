"""``make run``: the Procfile's processes under honcho, one "ready" line, and a clean Ctrl-C.

    python scripts/run.py [PROCFILE]

- Ports come from ``GATEWAY_PORT``, ``ACCOUNTS_PORT``, ``PROJECTS_PORT`` (8000, 8001, 8002); the
  URLs the processes give each other (``ACCOUNTS_URL``, ``PROJECTS_URL``, ``JWKS_URL``) follow
  them unless set. A port already taken fails at once, saying which.
- ``REPLICAS=n`` (default 1) runs n processes of each service: replica i (from 0) of accounts on
  ``ACCOUNTS_PORT + 100·i``, of projects on ``PROJECTS_PORT + 100·i``, each with its relay and
  consumers; the gateway gets every replica (``ACCOUNTS_URLS``, ``PROJECTS_URLS``) and projects
  replica i takes its keys from accounts replica i. The Procfile's lines of the services are
  repeated (``accounts``, ``accounts-2``, …) into a temporary Procfile that honcho runs.
- Each service connects as its own PostgreSQL role and RabbitMQ user (``make logins`` made them):
  the Procfile gives a service's processes ``<SERVICE>_DATABASE_URL`` and ``<SERVICE>_AMQP_URL``
  as their ``DATABASE_URL`` and ``AMQP_URL``, built here from the admin URLs (server, database,
  vhost) and the service's login (``chassis.operations.service_logins``); no process gets the
  admin URLs.
- Once the gateway's ``/health`` answers 200 (polled until ``READY_TIMEOUT_SECONDS``, default
  120), one line says so with the URLs to open; if it never does, one line says what ``/health``
  last said, and the stack keeps running so its logs can be read.
- Ctrl-C is the documented way to stop, so it exits 0. The terminal sends SIGINT to its whole
  foreground process group, and make, seeing it, dies of it (``Error 130``) whatever its recipe
  does; so this process moves itself and honcho into a process group of their own and makes that
  the terminal's foreground group for as long as the stack runs, then gives the terminal back.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from chassis.operations.service_logins import (
    DEFAULT_AMQP_URL,
    DEFAULT_DATABASE_URL,
    ServiceLogin,
)

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PORTS = {"gateway": ("GATEWAY_PORT", 8000), "accounts": ("ACCOUNTS_PORT", 8001)}
PORTS["projects"] = ("PROJECTS_PORT", 8002)
SERVICES = ("accounts", "projects")
REPLICA_PORT_STEP = 100
MAX_REPLICAS = 9
STOPPED_BY_SIGNAL = {0, 128 + signal.SIGINT, 128 + signal.SIGTERM, -signal.SIGINT, -signal.SIGTERM}


def replicas() -> int:
    """``REPLICAS`` (1 when unset); anything but 1..9 is refused with one line."""
    text = os.environ.get("REPLICAS") or "1"
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPLICAS:
        raise SystemExit(f"REPLICAS={text}: give a whole number from 1 to {MAX_REPLICAS}")
    return int(text)


def replica_name(service: str, index: int) -> str:
    return service if index == 0 else f"{service}-{index + 1}"


def ports(count: int = 1) -> dict[str, int]:
    """Every process's port by its name: ``gateway``, ``accounts``, ``accounts-2``, …"""
    base = {name: int(os.environ.get(var) or default) for name, (var, default) in PORTS.items()}
    port = {"gateway": base["gateway"]}
    for service in SERVICES:
        for index in range(count):
            port[replica_name(service, index)] = base[service] + REPLICA_PORT_STEP * index
    return port


def replica_names(port: dict[str, int], service: str) -> list[str]:
    return [name for name in port if name == service or name.startswith(f"{service}-")]


def environment(port: dict[str, int]) -> dict[str, str]:
    env = dict(os.environ)
    database_url = env.pop("DATABASE_URL", None) or DEFAULT_DATABASE_URL
    amqp_url = env.pop("AMQP_URL", None) or DEFAULT_AMQP_URL
    for service in SERVICES:
        login = ServiceLogin.from_environment(service, env)
        env[f"{service.upper()}_DATABASE_URL"] = login.database_url(database_url)
        env[f"{service.upper()}_AMQP_URL"] = login.amqp_url(amqp_url)
    for name, (var, _) in PORTS.items():
        env[var] = str(port[name])
    env.setdefault("ACCOUNTS_URL", f"http://127.0.0.1:{port['accounts']}")
    env.setdefault("PROJECTS_URL", f"http://127.0.0.1:{port['projects']}")
    env.setdefault("JWKS_URL", f"{env['ACCOUNTS_URL']}/.well-known/jwks.json")
    if len(replica_names(port, "accounts")) > 1:
        for service in SERVICES:
            urls = [f"http://127.0.0.1:{port[name]}" for name in replica_names(port, service)]
            env.setdefault(f"{service.upper()}_URLS", ",".join(urls))
    return env


def expand(procfile: str, port: dict[str, int]) -> str:
    """The Procfile with each service's line once per replica, its port variable replaced by
    the replica's port; projects replica i is given accounts replica i's JWKS unless
    ``JWKS_URL`` was set. With one replica the text comes back unchanged."""
    if len(replica_names(port, "accounts")) == 1:
        return procfile
    lines = []
    for line in procfile.splitlines():
        name, _, command = line.partition(":")
        if name.strip() not in SERVICES:
            lines.append(line)
            continue
        service = name.strip()
        variable = re.compile(r"\$\{?" + PORTS[service][0] + r"(:-[^}]*)?\}?")
        for index, replica in enumerate(replica_names(port, service)):
            own = variable.sub(str(port[replica]), command.strip())
            if service == "projects" and not os.environ.get("JWKS_URL"):
                accounts = port[replica_name("accounts", index)]
                own = f"env JWKS_URL=http://127.0.0.1:{accounts}/.well-known/jwks.json {own}"
            lines.append(f"{replica}: {own}")
    return "\n".join(lines) + "\n"


def taken(port: dict[str, int]) -> list[str]:
    busy = []
    for name, number in port.items():
        with socket.socket() as probe:
            # As the servers do: a connection of a stack just stopped (TIME_WAIT) is no obstacle.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", number))
            except OSError:
                busy.append(f"{number} ({name})")
    return busy


@contextlib.contextmanager
def own_foreground_group() -> Iterator[None]:
    """While inside, this process's own group is the terminal's foreground one (see above).

    Without a terminal, or when started in the background, nothing changes."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield
        return
    previous = None
    try:
        if os.tcgetpgrp(tty) == os.getpgrp():
            os.setpgid(0, 0)
            # A process may only take the terminal while SIGTTOU does not stop it.
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            previous = os.tcgetpgrp(tty)
            os.tcsetpgrp(tty, os.getpgrp())
    except OSError:
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, previous)
        os.close(tty)


def listening(number: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", number), timeout=1).close()
    except OSError:
        return False
    return True


def health(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own http URL
            return answer.status, answer.read(500).decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(500).decode(errors="replace")
    except (OSError, ValueError) as error:
        return 0, str(error)


def every_replica_ok(body: str) -> bool:
    """The gateway's /health names each replica ``ok`` (it answers 200 with one ready)."""
    try:
        summary = json.loads(body)
        return all(state == "ok" for states in summary["replicas"].values() for state in states)
    except (ValueError, KeyError, AttributeError, TypeError):
        return False


def announce_when_ready(port: dict[str, int], done: threading.Event) -> None:
    url = f"http://127.0.0.1:{port['gateway']}/health"
    timeout = float(os.environ.get("READY_TIMEOUT_SECONDS", "120"))
    started = time.monotonic()
    deadline = started + timeout
    last = (0, "no answer yet")
    while not done.wait(0.25):
        # Poll /health (each poll is a line in the gateway's log) only once every process
        # accepts connections: uvicorn listens only after its application has started.
        if time.monotonic() < deadline and not all(map(listening, port.values())):
            continue
        last = health(url)
        if last[0] == 200 and every_replica_ok(last[1]):
            origin = f"http://localhost:{port['gateway']}"
            services = ", ".join(
                f"{service} " + " ".join(f":{port[n]}" for n in replica_names(port, service))
                for service in SERVICES
            )
            # One write, so that no line of honcho's lands inside this one.
            sys.stdout.write(
                f"ready in {time.monotonic() - started:.0f} s: API docs {origin}/api/docs, "
                f"health {origin}/health ({services}); Ctrl-C stops the stack\n"
            )
            sys.stdout.flush()
            return
        if time.monotonic() > deadline:
            print(
                f"not ready after {timeout:.0f} s: {url} answered {last[0] or 'nothing'}: "
                f"{' '.join(last[1].split())}; the stack keeps running, see its logs above",
                file=sys.stderr,
                flush=True,
            )
            return


def main() -> int:
    procfile = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "Procfile")
    port = ports(replicas())
    busy = taken(port)
    if busy:
        print(
            f"port {', '.join(busy)} is taken (another stack?): stop it, or choose other ports, "
            "e.g. GATEWAY_PORT=9000 ACCOUNTS_PORT=9001 PROJECTS_PORT=9002 make run",
            file=sys.stderr,
        )
        return 1
    stop_requested = threading.Event()
    with (
        own_foreground_group(),
        tempfile.NamedTemporaryFile("w", prefix="Procfile.", suffix=".replicas") as expanded,
    ):
        if len(replica_names(port, "accounts")) > 1:
            expanded.write(expand(Path(procfile).read_text(), port))
            expanded.flush()
            procfile = expanded.name
        honcho = subprocess.Popen(  # noqa: S603 - our own command
            [str(BIN / "honcho"), "start", "-f", procfile, "-d", str(REPO)],
            env=environment(port),
            cwd=REPO,  # the Procfile's commands are relative to the repository
        )

        def stop(signum: int, _frame: FrameType | None) -> None:
            stop_requested.set()
            # From the terminal, honcho got the same SIGINT; from anywhere else, pass it on.
            if signum != signal.SIGINT:
                with contextlib.suppress(ProcessLookupError):
                    honcho.send_signal(signal.SIGTERM)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        done = threading.Event()
        watcher = threading.Thread(target=announce_when_ready, args=(port, done), daemon=True)
        watcher.start()
        returncode = honcho.wait()
        done.set()
        watcher.join()
    if stop_requested.is_set() and returncode in STOPPED_BY_SIGNAL:
        print("stopped", flush=True)
        return 0
    return returncode


if __name__ == "__main__":
    sys.exit(main())
