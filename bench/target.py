"""The stack under test: started here (LocalStack, its own database and RabbitMQ vhost, bcrypt at
production cost) unless ``GATEWAY_URL`` names a running one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from taskboard_e2e.stack import LocalStack

from taskboard_testing import ThrowawayDatabase, ThrowawayVhost

PRODUCTION_BCRYPT_ROUNDS = 12


@dataclass
class Target:
    """Where to send load, and what the benchmark may look at besides HTTP."""

    gateway_url: str
    projects_url: str | None = None
    database_url: str | None = None  # for the messaging scenarios (SQL on the outbox)
    amqp_url: str | None = None
    pids: dict[str, int] = field(default_factory=dict)  # gateway, accounts, projects
    logs: dict[str, Path] = field(default_factory=dict)
    started_here: bool = False
    stack: LocalStack | None = None  # when started here: more replicas can be added

    def log_sizes(self) -> dict[str, int]:
        return {name: path.stat().st_size for name, path in self.logs.items() if path.exists()}


@contextmanager
def open_target() -> Iterator[Target]:
    gateway_url = os.environ.get("GATEWAY_URL")
    if gateway_url:
        yield external_target(gateway_url)
        return
    with ExitStack() as stack:
        database = stack.enter_context(ThrowawayDatabase("bench"))
        vhost = stack.enter_context(ThrowawayVhost("bench"))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-stack-")))
        print(f"starting the stack (database {database.name}, vhost {vhost.name}) ...", flush=True)
        local = stack.enter_context(
            LocalStack(
                database_url=database.url,
                amqp_url=vhost.url,
                workdir=workdir,
                bcrypt_rounds=PRODUCTION_BCRYPT_ROUNDS,
                ready_timeout=180.0,  # a machine busy with other runs starts processes slowly
            )
        )
        pids = {
            name: process.popen.pid
            for name, process in local.processes.items()
            if process.popen is not None
        }
        yield Target(
            gateway_url=local.gateway_url,
            projects_url=local.url("projects"),
            database_url=database.url,
            amqp_url=vhost.url,
            pids=pids,
            logs={name: process.log_path for name, process in local.processes.items()},
            started_here=True,
            stack=local,
        )


def external_target(gateway_url: str) -> Target:
    """A running stack: what else may be touched comes only from explicit variables."""
    pids = {
        name: int(value)
        for name in ("gateway", "accounts", "projects")
        if (value := os.environ.get(f"BENCH_{name.upper()}_PID"))
    }
    return Target(
        gateway_url=gateway_url.rstrip("/"),
        projects_url=os.environ.get("PROJECTS_URL"),
        database_url=os.environ.get("BENCH_DATABASE_URL"),
        amqp_url=os.environ.get("BENCH_AMQP_URL"),
        pids=pids,
    )
