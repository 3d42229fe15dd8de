"""Two replicas of each service, each with its relay and consumers, under a concurrent load through
the gateway; midway one replica of each service is killed with SIGKILL, later started again.
Afterwards, awaited with deadlines: one starter project per user, the /users/me projection
converged (latest names, no deleted project), contiguous task numbers within the limits, an empty
outbox and empty dead-letter queues; no GET failed, a write failed only while in flight on the
killed replicas (counted and printed), and nothing begun once the gateway's /health named them down
failed. A DELETE whose first attempt was carried out just before the kill is resent by the gateway
and answered 404: the gateway's log names that request as resent, and its project must be gone.

The moments are set by progress, not by time: the kill comes once KILL_AFTER users are done, the
restart once RESTART_AFTER are, and users beyond a gate wait for it, so some load always runs
with a replica down and some after its return, however slow the machine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
import httpx
import pytest
from taskboard_e2e.stack import LocalStack

from taskboard_testing import ThrowawayDatabase, ThrowawayVhost, eventually

from .broker_queues import every_queue_empty, queue_counts
from .fault_load import Account, Load

KILLED = ("accounts-2", "projects-2")
CONVERGE_SECONDS = 180.0  # a process took up to 2 min to start here under other runs' load
# PostgreSQL's max_connections (100) is shared with every other test run on the machine: each of
# the four service processes holds at most pool + overflow + read pool + 1 LISTEN connection.
POOL, OVERFLOW = 4, 2
PER_PROCESS = POOL + OVERFLOW + POOL + 1
CONNECTION_BOUND = 4 * PER_PROCESS  # 44


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with (
        ThrowawayDatabase("faults") as database,
        ThrowawayVhost("faults") as vhost,
        LocalStack(
            database_url=database.url,
            amqp_url=vhost.url,
            workdir=tmp_path_factory.mktemp("replicas"),
            replicas=2,
            ready_timeout=CONVERGE_SECONDS,  # five processes starting on a loaded machine
            extra_env={
                "RETRY_DELAY_MS": "500",
                "RELAY_POLL_INTERVAL_SECONDS": "1",
                "DATABASE_POOL_SIZE": str(POOL),
                "DATABASE_MAX_OVERFLOW": str(OVERFLOW),
            },
        ) as running,
    ):
        yield running


@pytest.fixture
async def http(replicated: LocalStack) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=48, max_keepalive_connections=48)
    async with httpx.AsyncClient(
        base_url=replicated.gateway_url, timeout=30.0, limits=limits
    ) as client:
        yield client


async def test_killing_a_replica_of_each_service_loses_nothing(
    replicated: LocalStack, http: httpx.AsyncClient
) -> None:
    load = Load(http)

    async def kill() -> None:
        for name in KILLED:
            replicated.kill(name)

    async def seen_down() -> None:
        async def replicas() -> Any:
            return (await http.get("/health")).json().get("replicas")

        await eventually(
            replicas,
            until=lambda r: r == {"accounts": ["ok", "degraded"], "projects": ["ok", "degraded"]},
            timeout=CONVERGE_SECONDS,
            interval=0.1,
            what="the gateway's /health naming the killed replicas down",
        )

    async def restart() -> None:
        for name in KILLED:  # accounts first: projects-2 takes its keys from accounts-2
            await asyncio.to_thread(replicated.start_again, name)

    started = time.monotonic()
    async with peak_connections(replicated) as peak:
        await load.run(kill=kill, seen_down=seen_down, restart=restart)
    print(f"\nload: {load.summary()} in {time.monotonic() - started:.1f} s")
    print(f"PostgreSQL connections of the stack: at most {peak[0]} seen (bound {CONNECTION_BOUND})")
    # (+ one process: a killed replica's backends may outlive it by a moment beside its successor)
    assert peak[0] <= CONNECTION_BOUND + PER_PROCESS

    # Nothing but writes in flight on the killed replicas may fail.
    assert not load.failed_reads(), "GETs failed:\n" + load.describe(load.failed_reads())
    unexplained = load.unexplained_write_failures()
    assert not unexplained, "writes failed outside the kill:\n" + load.describe(unexplained)
    # Right after the kill the gateway may still send on a kept-alive connection to a killed
    # replica: a POST lost so counts as in flight at the kill, anything else is resent.
    lost_after = load.lost_after_the_kill()
    resent = [c for c in lost_after if c.method != "POST"]
    assert not resent, "failed although the gateway resends it:\n" + load.describe(resent)
    # Once the gateway knows, a replica that is down only refuses connections: the gateway
    # tries the other one, so nothing begun then fails, and no 5xx answers a refused connection.
    while_down = load.started_while_down()
    refused = [c for c in while_down if c in load.failures()]
    assert not refused, "failed while a replica only refused:\n" + load.describe(refused)
    gateway_log = replicated.processes["gateway"].log_path.read_text(errors="replace")
    carried_out = load.deleted_before_their_resend(gateway_log)
    odd = [c for c in load.not_a_lost_request(load.failed_writes()) if c not in carried_out]
    assert not odd, "failed otherwise than lost in flight:\n" + load.describe(odd)
    print(
        f"GETs failed: {len(load.failed_reads())}; "
        f"POSTs lost on a stale connection just after the kill: {len(lost_after)}; "
        f"calls begun while the killed replicas were down: {len(while_down)}, failed: 0; "
        f"writes in flight on the killed replicas that failed: {len(load.failed_writes())}, "
        f"of them DELETEs carried out before the gateway resent them (404): {len(carried_out)}"
    )
    began, seen = load.outcome.kill_started or 0.0, load.outcome.seen_down or 0.0
    print(f"the gateway's /health named the killed replicas down {seen - began:.2f} s later")
    print(load.describe(load.failed_writes()))
    assert len(load.accounts) >= 200
    assert while_down, "no call was made while the killed replicas were down"

    users = await load.existing_accounts()
    await _no_message_left(replicated)
    await eventually(
        lambda: _not_converged(http, users),
        until=lambda left: not left,
        timeout=CONVERGE_SECONDS,
        interval=0.25,
        what="every user's starter project and /users/me projection",
    )
    for user in users:
        await _check_tasks(http, user)
    health = (await http.get("/health")).json()
    assert health["replicas"] == {"accounts": ["ok", "ok"], "projects": ["ok", "ok"]}, health


@asynccontextmanager
async def peak_connections(stack: LocalStack) -> AsyncIterator[list[int]]:
    """The most connections to the stack's own database seen while the block runs (sampled;
    this sampler's own connection left out)."""
    peak = [0]
    connection = await asyncpg.connect(stack.database_url)
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], await connection.fetchval(query))
            await asyncio.sleep(0.2)  # a sampling rate, not a wait for anything

    sampler = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        sampler.cancel()
        with suppress(asyncio.CancelledError):
            await sampler
        await connection.close()


async def _no_message_left(stack: LocalStack) -> None:
    connection = await asyncpg.connect(stack.database_url)
    try:
        query = (
            "SELECT (SELECT count(*) FROM accounts.outbox WHERE published_at IS NULL)"
            " + (SELECT count(*) FROM projects.outbox WHERE published_at IS NULL)"
        )

        async def unpublished() -> int:
            count: int = await connection.fetchval(query)
            return count

        await eventually(
            unpublished,
            until=lambda n: n == 0,
            timeout=CONVERGE_SECONDS,
            interval=0.1,
            what="every outbox row published",
        )
    finally:
        await connection.close()
    # A message in a DLQ would stay there: this fails at the deadline, naming the queue.
    await eventually(
        lambda: every_queue_empty(stack),
        until=lambda left: not left,
        timeout=CONVERGE_SECONDS,
        interval=0.25,
        what="every queue (work, retry and dead-letter) empty",
    )
    assert any(name.endswith(".dlq") for name in queue_counts(stack))


def _ok(response: httpx.Response) -> Any:
    """A GET after the faults never fails: its body, or the answer that says why it did."""
    url, status = response.request.url, response.status_code
    assert status == 200, f"{url}: {status} {response.text}"
    return response.json()


async def _not_converged(http: httpx.AsyncClient, users: list[Account]) -> list[str]:
    """The users whose projects (exactly one starter) and /users/me do not agree yet."""
    left: list[str] = []

    async def check(user: Account) -> None:
        auth = {"Authorization": f"Bearer {user.token}"}
        listing = _ok(await http.get("/api/projects", params={"limit": 100}, headers=auth))
        me = _ok(await http.get("/api/users/me", headers=auth))
        live = {p["id"]: p["name"] for p in listing["projects"]}
        starters = [name for name in live.values() if name == "My first project"]
        listed = {p["id"]: p["name"] for p in me["projects"]}
        if len(starters) != 1 or listed != live:
            left.append(f"{user.email}: projects {live}, /users/me {listed}")
            return
        for project in user.projects.values():
            if project.deleted:
                assert project.id not in live, f"deleted project listed: {project}"
            elif project.id in live:
                assert live[project.id] in project.possible_names(), (project, live)
            else:
                assert project.unsure, f"{project} acknowledged but not listed"

    for start in range(0, len(users), 20):
        await asyncio.gather(*(check(user) for user in users[start : start + 20]))
    return left


async def _check_tasks(http: httpx.AsyncClient, user: Account) -> None:
    auth = {"Authorization": f"Bearer {user.token}"}
    for project in user.projects.values():
        if project.deleted or project.unsure:
            continue
        tasks = (await http.get(f"/api/projects/{project.id}/tasks", headers=auth)).json()["tasks"]
        numbers = [task["number"] for task in tasks]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (project, numbers)
        incomplete = sum(1 for task in tasks if task["completed_at"] is None)
        if project.limit is not None:
            assert incomplete <= project.limit, (project, tasks)
        assert (
            project.tasks_created <= len(numbers) <= project.tasks_created + project.tasks_unknown
        )
