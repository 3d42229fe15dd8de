"""``make run REPLICAS=2`` for real: ``make migrate``, then ``scripts/run.py`` (what ``make run``
runs) with ``REPLICAS=2``, on free ports, its own database, vhost, logins and signing keys. Replica
i of each service listens on its port + 100·i, one gateway reports each replica in ``/health``,
and with one replica of each service killed (SIGKILL) the API still answers through the gateway.

honcho stops every process once one of them exits, so a replica killed under the repository's
Procfile would end the whole stack: the test runs that Procfile with each service line followed
by ``; sleep`` (the shell honcho started outlives its server), expanded per replica by run.py as
``make run`` expands it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from taskboard_e2e import TaskboardClient

from taskboard_testing import ThrowawayDatabase, ThrowawayLogins, ThrowawayVhost, eventually
from taskboard_testing.sockets import free_port

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
START_SECONDS = 300.0  # a bound only: migrations, then five processes on a busy 2-core machine
STEP = 100  # replica i of a service listens on its port + 100·i
PASSWORD = "correct horse battery"
STARTED = re.compile(r"started \(pid=(\d+)\)")


def free_pair() -> int:
    """A port p such that p and p + STEP are both free right now."""
    for _ in range(100):
        port = free_port()
        if port + STEP > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + STEP))
            except OSError:
                continue
        return port
    raise AssertionError("no two free ports 100 apart")


@dataclass
class MadeRun:
    process: subprocess.Popen[bytes]
    log: Path
    ports: dict[str, int]
    groups: set[int] = field(default_factory=set)  # honcho's children lead their own groups

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill_replica(self, port: int) -> None:
        """SIGKILL the server of this run given ``port`` (its ``--port`` argument)."""
        (pid,) = [pid for pid in server_pids(port) if os.getpgid(pid) in self.groups]
        os.kill(pid, signal.SIGKILL)


def server_pids(port: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in argv and argv[argv.index(b"--port") + 1 :][:1] == [str(port).encode()]:
            pids.append(int(entry.name))
    return pids


def procfile_surviving_a_kill(target: Path) -> Path:
    lines = []
    for line in (REPO / "Procfile").read_text().splitlines():
        name = line.partition(":")[0].strip()
        lines.append(f"{line}; sleep 100000" if name in ("accounts", "projects") else line)
    target.write_text("\n".join(lines) + "\n")
    return target


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MadeRun]:
    workdir = tmp_path_factory.mktemp("make-run-replicas")
    ports = {"accounts": free_pair(), "projects": free_pair(), "gateway": free_port()}
    with (
        ThrowawayDatabase("runreplicas") as database,
        ThrowawayVhost("runreplicas") as vhost,
        ThrowawayLogins(database.url, vhost.url, create=False) as logins,
    ):
        env = {
            **os.environ,
            **logins.environment(),
            "DATABASE_URL": database.url,
            "AMQP_URL": vhost.url,
            "SIGNING_KEYS_DIR": str(workdir / "signing-keys"),
            "BCRYPT_ROUNDS": "4",
            "GATEWAY_PORT": str(ports["gateway"]),
            "GATEWAY_ADMIN_PORT": str(free_port()),
            "ACCOUNTS_PORT": str(ports["accounts"]),
            "PROJECTS_PORT": str(ports["projects"]),
            # four service processes beside everyone else's on a shared PostgreSQL
            "DATABASE_POOL_SIZE": "2",
            "DATABASE_MAX_OVERFLOW": "1",
            "REPLICAS": "2",
            "READY_TIMEOUT_SECONDS": str(START_SECONDS),
        }
        for name in (
            "ACCOUNTS_URL",
            "PROJECTS_URL",
            "ACCOUNTS_URLS",
            "PROJECTS_URLS",
            "JWKS_URL",
            "MAKEFLAGS",
            "MAKELEVEL",
            "JWT_PRIVATE_KEY",
            "JWT_PRIVATE_KEY_FILE",
        ):
            env.pop(name, None)
        migrate = subprocess.run(
            ["make", "--no-print-directory", "migrate"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        log = workdir / "run.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [PYTHON, "scripts/run.py", str(procfile_surviving_a_kill(workdir / "Procfile"))],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        run = MadeRun(process, log, ports)
        try:
            deadline = time.monotonic() + START_SECONDS
            while "ready in" not in run.output():
                assert process.poll() is None, run.output()[-3000:]
                assert time.monotonic() < deadline, run.output()[-3000:]
                time.sleep(0.2)
            run.groups = {int(pid) for pid in STARTED.findall(run.output())}
            yield run
        finally:
            stop(run)


def stop(run: MadeRun) -> None:
    """SIGTERM to run.py (as a terminal's Ctrl-C would end it), then whatever is left of the
    process groups of honcho's children (a server whose shell was stopped during its sleep)."""
    run.groups |= {int(pid) for pid in STARTED.findall(run.output())}
    if run.process.poll() is None:
        run.process.send_signal(signal.SIGTERM)
        try:
            run.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait()
    for group in run.groups:
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, signum)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and group_alive(group):
                time.sleep(0.1)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_replicas_per_service_on_port_plus_100_behind_one_gateway_survive_a_kill(
    made_run: MadeRun,
) -> None:
    accounts, projects = made_run.ports["accounts"], made_run.ports["projects"]
    async with httpx.AsyncClient(timeout=10) as http:
        for port in (accounts, accounts + STEP, projects, projects + STEP):
            ready = await http.get(f"http://127.0.0.1:{port}/health/ready")
            assert ready.status_code == 200, (port, ready.text)
        health = (await http.get(f"{made_run.gateway}/health")).json()
        assert health["replicas"] == {"accounts": ["ok", "ok"], "projects": ["ok", "ok"]}
    assert f"accounts :{accounts} :{accounts + STEP}" in made_run.output()
    assert f"projects :{projects} :{projects + STEP}" in made_run.output()

    # The second replica of each (port + 100) killed: the gateway reports that very replica.
    made_run.kill_replica(accounts + STEP)
    made_run.kill_replica(projects + STEP)
    async with httpx.AsyncClient(timeout=10) as http:

        async def replicas() -> dict[str, list[str]]:
            answer = (await http.get(f"{made_run.gateway}/health")).json()
            states: dict[str, list[str]] = answer["replicas"]
            return states

        await eventually(
            replicas,
            until=lambda r: r == {"accounts": ["ok", "degraded"], "projects": ["ok", "degraded"]},
            timeout=30,
            what="the gateway's /health naming the killed replicas",
        )

    async with TaskboardClient(made_run.gateway) as api:
        email = f"replicas-{uuid.uuid4().hex[:10]}@example.com"
        await api.register(email, PASSWORD)
        await api.login(email, PASSWORD)
        created = await api.create_project("survivors")
        listed = await api.projects()
        assert created["id"] in {p["id"] for p in listed["projects"]}
        me = await eventually(
            api.me,
            until=lambda m: created["id"] in {p["id"] for p in m["projects"]},
            timeout=60,
            what="the new project in /users/me (projection on the surviving accounts replica)",
        )
        assert len(me["projects"]) == 2  # the starter project and this one
    assert made_run.process.poll() is None  # the stack itself kept running
