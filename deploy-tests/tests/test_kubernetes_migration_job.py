"""The migration Job and the gate the Deployments wait at, run for real: the Job's own command,
taken from the rendered production overlay, with its container's environment, as the service's
own PostgreSQL role on a fresh database and its own broker user on a fresh vhost (what the
CloudNativePG role and the broker User are). Before the Job the gate (the init container's check)
stays shut; the Job succeeds, the gate opens, and the Job succeeds again on the migrated schema,
changing nothing (a Job retried after a lost pod, or run again for a release without a new
migration)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import asyncpg
import pytest

from contracts.topology import CONSUMER_QUEUES
from taskboard_testing import ThrowawayDatabase, ThrowawayLogins, ThrowawayVhost

from .kube import MIGRATED_UNITS, Unit, container_environment, find, one, pod_spec
from .stack import REPO
from .test_kubernetes_consistency import main_container
from .test_topology_step import missing_queues

BIN = Path(sys.executable).parent
JOB_SECONDS = 180.0  # a bound only: two Python tools starting on a busy machine
GATE = re.compile(r"^until (.+?); do ")  # the init container's loop: `until <check>; do …; done`


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=JOB_SECONDS, check=False
    )


def gate_check(unit: Unit) -> list[str]:
    """The check each Deployment's init container repeats until it succeeds (one for all)."""
    checks = set()
    for workload in find(unit, "production", "Deployment"):
        (wait,) = pod_spec(workload)["initContainers"]
        assert wait["command"][:2] == ["sh", "-c"]
        found = GATE.match(wait["command"][2])
        assert found, wait["command"][2]
        checks.add(found.group(1))
    (check,) = checks
    return ["sh", "-c", check]


async def alembic_versions(url: str, schema: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        query = f'SELECT version_num FROM "{schema}".alembic_version'  # noqa: S608 - ours
        rows = await connection.fetch(query)
        return [row["version_num"] for row in rows]
    finally:
        await connection.close()


@pytest.mark.integration
@pytest.mark.parametrize("unit", MIGRATED_UNITS, ids=lambda u: u.folder)
def test_the_migration_job_opens_the_gate_and_runs_again_unchanged(unit: Unit) -> None:
    assert unit.service is not None
    assert unit.service.migrate is not None
    package = unit.service.package
    job = main_container(one(unit, "production", "Job", unit.service.migrate))
    assert job["command"][:2] == ["sh", "-c"]
    with (
        ThrowawayDatabase(f"job_{package}") as database,
        ThrowawayVhost(f"job_{package}") as vhost,
        ThrowawayLogins(database.url, vhost.url) as logins,
    ):
        login = logins[package]
        env = {
            **container_environment(unit, "production", job, defaultdict(lambda: "unused")),
            "DATABASE_URL": login.database_url(database.url),
            "AMQP_URL": login.amqp_url(vhost.url),
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        }
        # the image's WORKDIR /app holds alembic.ini and migrations/, as the service folder does
        workdir = REPO / unit.service.name
        assert (workdir / "alembic.ini").is_file()

        shut = run(gate_check(unit), env, workdir)
        assert shut.returncode != 0, "the gate is open before any migration"

        first = run(job["command"], env, workdir)
        assert first.returncode == 0, first.stdout + first.stderr
        versions = asyncio.run(alembic_versions(database.url, package))
        opened = run(gate_check(unit), env, workdir)
        assert opened.returncode == 0, opened.stdout + opened.stderr

        again = run(job["command"], env, workdir)
        assert again.returncode == 0, again.stdout + again.stderr
        assert asyncio.run(alembic_versions(database.url, package)) == versions
        assert len(versions) == 1
        assert run(gate_check(unit), env, workdir).returncode == 0

        queues = [
            name
            for queue in CONSUMER_QUEUES
            if queue.name.startswith(f"{package}.")  # a queue is named for its consumer
            for name in (queue.name, queue.retry_queue, queue.dead_letter_queue)
        ]
        assert queues
        assert asyncio.run(missing_queues(vhost.url, queues)) == []
