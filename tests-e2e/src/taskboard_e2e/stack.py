"""Start the whole stack as local processes on free ports, for the e2e tests and the benchmark.

The caller provides the database and the RabbitMQ vhost (throw-away ones in tests), so the stack
never touches a developer's data and can run beside ``make run``; their URLs are admin ones.
The stack makes each service a PostgreSQL role and a RabbitMQ user of its own there, with unique
names (``ThrowawayLogins``: the role owns only its service's schema, the user may use only its
service's exchange and queues), runs each service's migrations and topology declaration and the
service itself as those, and drops them when it stops: every e2e test runs under least privilege.

With ``replicas=n`` each service runs as n processes (``accounts``, ``accounts-2``, …), each with
its relay and consumers, behind one gateway that knows every replica.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from taskboard_testing import ThrowawayLogins

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

# Only a bound on failure: a healthy stack is used as soon as it answers. Three Python processes
# importing FastAPI, SQLAlchemy, FastStream and OpenTelemetry take a minute on a busy 2-core
# machine, so the bound is well above that.
STARTUP_TIMEOUT_SECONDS = float(os.environ.get("E2E_STARTUP_TIMEOUT_SECONDS", "240"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            self.argv, cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown, no goodbye to PostgreSQL or RabbitMQ."""
        if self.popen is not None:
            self.popen.kill()
            self.popen.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.popen = None

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self._log is not None:
            self._log.close()
        self.popen = None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class LocalStack:
    """``with LocalStack(database_url=..., amqp_url=..., workdir=...) as stack:`` then talk to
    ``stack.gateway_url``."""

    database_url: str
    amqp_url: str
    workdir: Path
    bcrypt_rounds: int = 4
    replicas: int = 1  # processes of each service (accounts, projects)
    ready_timeout: float = STARTUP_TIMEOUT_SECONDS  # a bound only: used as soon as all are ready
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    logins: ThrowawayLogins | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def url(self, service: str) -> str:
        """``service`` is a process name: ``accounts`` (the first replica), ``accounts-2``, …"""
        return f"http://127.0.0.1:{self.ports[service]}"

    def replica_names(self, service: str) -> list[str]:
        return [replica_name(service, index) for index in range(self.replicas)]

    def urls(self, service: str) -> str:
        return ",".join(self.url(name) for name in self.replica_names(service))

    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()  # __exit__ is not called when __enter__ fails: leave no process behind
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def signing_keys_dir(self) -> Path:
        """accounts' key ring (every accounts replica reads it): ``accounts-keys --dir`` it."""
        return self.workdir / "signing-keys"

    def env(self) -> dict[str, str]:
        """What every process gets (the gateway only this): no database or broker login, each
        service's own come from ``service_env``."""
        self._run("accounts-keys", "init", "--dir", str(self.signing_keys_dir))
        # The stack's own ring, never a key from the environment (both at once are refused).
        inherited = {
            name: value
            for name, value in os.environ.items()
            if name not in ("JWT_PRIVATE_KEY", "JWT_PRIVATE_KEY_FILE", "DATABASE_URL", "AMQP_URL")
        }
        return {
            # One client (127.0.0.1) registers and logs in hundreds of users here: the
            # per-client allowances are lifted unless the environment sets them.
            "THROTTLE_REGISTRATIONS_PER_CLIENT": "1000000",
            "THROTTLE_FAILED_LOGINS_PER_CLIENT": "1000000",
            "THROTTLE_EMAIL_CHANGES_PER_CLIENT": "1000000",
            **inherited,
            "ENVIRONMENT": "test",
            "SIGNING_KEYS_DIR": str(self.signing_keys_dir),
            "BCRYPT_ROUNDS": str(self.bcrypt_rounds),
            "JWKS_URL": f"{self.url('accounts')}/.well-known/jwks.json",
            "ACCOUNTS_URL": self.url("accounts"),
            "PROJECTS_URL": self.url("projects"),
            "ACCOUNTS_URLS": self.urls("accounts"),
            "PROJECTS_URLS": self.urls("projects"),
            "GATEWAY_PORT": str(self.ports["gateway"]),
            "GATEWAY_ADMIN_PORT": str(self.ports["gateway-admin"]),
            **self.extra_env,
        }

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in (
            *self.replica_names("accounts"),
            *self.replica_names("projects"),
            "gateway",
            "gateway-admin",
        ):
            self.ports.setdefault(name, free_port())
        self.logins = ThrowawayLogins(self.database_url, self.amqp_url).__enter__()
        env = self.env()
        for service in ("accounts", "projects"):
            own = {**env, **self.service_env(service)}
            ini = str(REPO / f"{service}-service" / "alembic.ini")
            self._run("alembic", "-c", ini, "upgrade", "head", env=own)
            self._run(f"{service}-worker", "--declare-topology", env=own)
        for name, argv in self.commands().items():
            own_env = {**env, **self.replica_env(name)}
            process = Process(name, argv, own_env, self.workdir / f"{name}.log")
            self.processes[name] = process
            process.start()
        self.wait_until_healthy(self.ready_timeout)

    def commands(self) -> dict[str, list[str]]:
        def uvicorn(app: str, port: int) -> list[str]:
            factory = f"{app}.entrypoints.http.app:create_app"
            return [
                str(BIN / "uvicorn"),
                factory,
                "--factory",
                "--port",
                str(port),
                "--no-proxy-headers",
            ]

        commands = {}
        for service in ("accounts", "projects"):
            for name in self.replica_names(service):
                commands[name] = uvicorn(service, self.ports[name])
        commands["gateway"] = [str(BIN / "gateway")]
        return commands

    def service_env(self, service: str) -> dict[str, str]:
        """``DATABASE_URL`` and ``AMQP_URL`` of ``service``'s own logins."""
        assert self.logins is not None, "the stack's logins are made by start()"
        login = self.logins[service]
        return {
            "DATABASE_URL": login.database_url(self.database_url),
            "AMQP_URL": login.amqp_url(self.amqp_url),
        }

    def replica_env(self, name: str) -> dict[str, str]:
        """A service's replica connects as the service; replica i of projects takes its keys
        from replica i of accounts (same key ring)."""
        if name.startswith("accounts"):
            return self.service_env("accounts")
        if not name.startswith("projects"):
            return {}
        accounts = "accounts" + name.removeprefix("projects")
        return {
            **self.service_env("projects"),
            "JWKS_URL": f"{self.url(accounts)}/.well-known/jwks.json",
        }

    def wait_until_healthy(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            for process in self.processes.values():
                if process.popen is not None and process.popen.poll() is not None:
                    raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
            try:
                response = httpx.get(f"{self.gateway_url}/health", timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.TransportError as error:
                last = repr(error)
            time.sleep(0.1)
        logs = "\n".join(f"--- {p.name}\n{p.log_tail()}" for p in self.processes.values())
        raise RuntimeError(f"the stack did not become healthy in {timeout}s: {last}\n{logs}")

    def restart(self, name: str) -> None:
        self.processes[name].stop()
        self.processes[name].start()
        self.wait_until_healthy()

    def kill(self, name: str) -> None:
        """SIGKILL one process (a replica's crash); ``start_again(name)`` brings it back."""
        self.processes[name].kill()

    def start_again(self, name: str, timeout: float | None = None) -> None:
        """Start a killed or stopped process and wait until its own ``/health/ready`` (the
        gateway's: ``/health``) answers 200 (up to ``ready_timeout`` unless told)."""
        timeout = self.ready_timeout if timeout is None else timeout
        process = self.processes[name]
        process.start()
        path = "/health" if name == "gateway" else "/health/ready"
        deadline = time.monotonic() + timeout
        while True:
            if process.popen is not None and process.popen.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{process.log_tail()}")
            try:
                if httpx.get(self.url(name) + path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready in {timeout}s:\n{process.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        try:
            for process in reversed(list(self.processes.values())):
                process.stop()
        finally:
            if self.logins is not None:
                logins, self.logins = self.logins, None
                logins.__exit__(None, None, None)

    def _run(self, tool: str, *args: str, env: dict[str, str] | None = None) -> None:
        executable = shutil.which(tool, path=str(BIN)) or tool
        result = subprocess.run(  # noqa: S603 - our own tools
            [executable, *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def replica_name(service: str, index: int) -> str:
    """The process name of replica ``index`` (0-based): ``accounts``, ``accounts-2``, …"""
    return service if index == 0 else f"{service}-{index + 1}"
