"""``make run REPLICAS=2`` for real: ``make migrate``, then ``scripts/run.py Procfile`` with
``REPLICAS=2`` (what ``make run`` runs, the repository's Procfile unchanged), on free ports, its
own database, vhost, logins and signing keys. Replica i of each service listens on its port +
100·i and answers ``/health/ready``, the one gateway names each replica in ``/health``, and
registering, logging in and creating a project work through it, its reads spread over both
replicas. Then Ctrl-C (SIGINT to the process group, as a terminal sends it) ends the run with
"stopped" and exit status 0, and within a deadline every process it started is gone and no port
is listened on any more.

A replica killed under this Procfile would end the whole stack (honcho stops every process once
one exits), so failover is not tested here: ``test_replicas_under_faults.py`` does that."""

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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from taskboard_e2e import TaskboardClient

from taskboard_testing import eventually, make_run_environment
from taskboard_testing.sockets import free_port

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
START_SECONDS = 300.0  # a bound only: migrations, then five processes on a busy 2-core machine
STOP_SECONDS = 60.0  # a bound only: honcho gives its processes 5 s before SIGKILL
STEP = 100  # replica i of a service listens on its port + 100·i
PASSWORD = "correct horse battery"
STARTED = re.compile(r"started \(pid=(\d+)\)")
STARTER = "My first project"
# One count line of the services' request metric: GET /api/projects answered 200.
LISTED = re.compile(
    r'^http_server_request_duration_seconds_count\{(?=[^}]*method="GET")'
    r'(?=[^}]*route="/api/projects")(?=[^}]*status="200")[^}]*\}\s+([0-9.e+]+)$',
    re.MULTILINE,
)


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
    ports: dict[str, int]  # accounts, projects (replica 0), gateway, gateway-admin

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def every_port(self) -> list[int]:
        services = [self.ports[s] + STEP * i for s in ("accounts", "projects") for i in (0, 1)]
        return [*services, self.ports["gateway"], self.ports["gateway-admin"]]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def groups(self) -> set[int]:
        """honcho starts each process as the leader of a new session: its pid is its group."""
        return {int(pid) for pid in STARTED.findall(self.output())}


def process_group(pid: int) -> int | None:
    """The group of a live (not zombie) process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state, ppid, pgrp, …
    return None if fields[0] in ("Z", "X") else int(fields[2])


def processes_in(groups: set[int]) -> set[int]:
    pids = {int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    return {pid for pid in pids if process_group(pid) in groups}


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MadeRun]:
    workdir = tmp_path_factory.mktemp("make-run-replicas")
    ports = {
        "accounts": free_pair(),
        "projects": free_pair(),
        "gateway": free_port(),
        "gateway-admin": free_port(),
    }
    variables = {
        "GATEWAY_PORT": str(ports["gateway"]),
        "GATEWAY_ADMIN_PORT": str(ports["gateway-admin"]),
        "ACCOUNTS_PORT": str(ports["accounts"]),
        "PROJECTS_PORT": str(ports["projects"]),
        # four service processes beside everyone else's on a shared PostgreSQL
        "DATABASE_POOL_SIZE": "2",
        "DATABASE_MAX_OVERFLOW": "1",
        "REPLICAS": "2",
        "READY_TIMEOUT_SECONDS": str(START_SECONDS),
    }
    with make_run_environment("runreplicas", workdir / "signing-keys", variables) as env:
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
            # As make run's recipe: REPLICAS=2 scripts/run.py Procfile. A session (and group) of
            # its own stands for the terminal's foreground group that Ctrl-C is sent to.
            process = subprocess.Popen(
                [PYTHON, "scripts/run.py", "Procfile"],
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
            yield run
        finally:
            kill_what_is_left(run)


def kill_what_is_left(run: MadeRun) -> None:
    """Whatever a failed test left running: run.py's group, then each of honcho's."""
    groups = run.groups()
    if run.process.poll() is None:
        os.killpg(run.process.pid, signal.SIGKILL)
        run.process.wait()
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            continue


async def test_two_replicas_per_service_on_port_plus_100_behind_one_gateway(
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

    async with TaskboardClient(made_run.gateway) as api:
        email = f"replicas-{uuid.uuid4().hex[:10]}@example.com"
        await api.register(email, PASSWORD)
        await api.login(email, PASSWORD)
        created = await api.create_project("through the gateway")
        before = await listings_served(projects)
        for _ in range(6):
            listed = await api.projects()
            assert created["id"] in {p["id"] for p in listed["projects"]}
        after = await listings_served(projects)
        served = [a - b for a, b in zip(after, before, strict=True)]
        assert sum(served) == 6, served
        assert all(served), f"GET /api/projects served per projects replica: {served}"

        # The starter project takes two hops (UserAccountCreated to projects, ProjectCreated
        # back to accounts), so it may reach /users/me after the project created here.
        def both(me: dict[str, object]) -> bool:
            listed = me["projects"]
            assert isinstance(listed, list)
            return created["id"] in {p["id"] for p in listed} and STARTER in {
                p["name"] for p in listed
            }

        me = await eventually(
            api.me,
            until=both,
            timeout=60,
            what="the created and the starter project in /users/me",
        )
        assert len(me["projects"]) == 2, me


async def listings_served(projects: int) -> list[float]:
    """GET /api/projects answered 200 by each projects replica so far (its /metrics)."""
    counts = []
    async with httpx.AsyncClient(timeout=10) as http:
        for port in (projects, projects + STEP):
            metrics = await http.get(f"http://127.0.0.1:{port}/metrics")
            assert metrics.status_code == 200, (port, metrics.text[:300])
            counts.append(sum(float(n) for n in LISTED.findall(metrics.text)))
    return counts


def test_ctrl_c_stops_every_process_the_run_started(made_run: MadeRun) -> None:
    run = made_run
    assert run.process.poll() is None, run.output()[-3000:]
    groups = run.groups()
    assert len(groups) == 5, run.output()[-3000:]  # two replicas of two services, one gateway
    # run.py and honcho in the run's own group, and each process honcho started in its own
    started = processes_in({run.process.pid, *groups})
    assert len(started) >= 7, started
    for port in run.every_port():
        assert listening(port), (port, run.output()[-3000:])

    os.killpg(run.process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    returncode = run.process.wait(timeout=STOP_SECONDS)
    assert returncode == 0, run.output()[-3000:]
    assert run.output().rstrip().endswith("stopped"), run.output()[-3000:]
    deadline = time.monotonic() + STOP_SECONDS
    while True:
        alive = {pid for pid in started if process_group(pid) is not None}
        listened = [port for port in run.every_port() if listening(port)]
        if not alive and not listened:
            break
        assert time.monotonic() < deadline, (
            f"after Ctrl-C, still running: {sorted(alive)}, still listened on: {listened}\n"
            + run.output()[-3000:]
        )
        time.sleep(0.1)
