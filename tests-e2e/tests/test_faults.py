"""Faults the stack survives, each bounded in time, the machine restored in a ``finally``:

- a service process SIGKILLed during a write load: the gateway answers the in-flight requests
  with 502 at once, the other service keeps serving, and after a restart nothing committed is
  lost or applied twice;
- PostgreSQL restarted under a write load: requests get 503 with Retry-After (never a hang),
  everything resumes without a process restart (each outbox listener in a new LISTEN session),
  every 2xx write is there and its events are delivered. It disturbs every other test on this
  machine: one short outage, run once.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import LocalStack

from taskboard_testing import eventually

from .conftest import PASSWORD, new_user, unique_email
from .outages import PostgresCluster

QUICK = 5.0  # seconds: "at once" for a dead upstream, well below the gateway's read timeout


def local_stack(stack: LocalStack | None) -> LocalStack:
    if stack is None:
        pytest.skip("a fault test needs a stack started by the tests (GATEWAY_URL is set)")
    return stack


async def load(
    write: Callable[[int], Awaitable[httpx.Response]],
    stop: asyncio.Event,
    results: list[tuple[int, httpx.Response | Exception, float]],
    *,
    workers: int = 4,
) -> None:
    """``workers`` writers calling ``write(n)`` until ``stop``; each result with its duration."""
    counter = iter(range(1_000_000))

    async def writer() -> None:
        while not stop.is_set():
            n = next(counter)
            started = time.monotonic()
            try:
                outcome: httpx.Response | Exception = await write(n)
            except httpx.TransportError as error:
                outcome = error
            results.append((n, outcome, time.monotonic() - started))

    await asyncio.gather(*(writer() for _ in range(workers)))


def statuses(results: list[tuple[int, httpx.Response | Exception, float]]) -> list[int | str]:
    return [
        r.status_code if isinstance(r, httpx.Response) else type(r).__name__ for _, r, _ in results
    ]


async def test_a_service_killed_during_writes_loses_nothing_committed_and_applies_nothing_twice(
    api: TaskboardClient, stack: LocalStack | None
) -> None:
    running = local_stack(stack)
    watcher, _ = await new_user(api, "kill-watcher")  # projects must stay unaffected
    # projects has accounts' public keys once it checked a token (cached, as in production).
    assert (await watcher.request("GET", "/api/projects")).status_code == 200
    emails: dict[int, str] = {}
    results: list[tuple[int, httpx.Response | Exception, float]] = []
    stop = asyncio.Event()

    async def register(n: int) -> httpx.Response:
        emails[n] = unique_email(f"kill-{n}")
        return await api.request(
            "POST", "/api/users", json={"email": emails[n], "password": PASSWORD}
        )

    accounts = running.processes["accounts"]
    writers = asyncio.create_task(load(register, stop, results))
    try:
        await eventually(lambda: asyncio.sleep(0, len(results)), until=lambda n: n >= 6)
        assert accounts.popen is not None
        accounts.popen.kill()  # SIGKILL: no shutdown, requests in flight die with it
        await asyncio.to_thread(accounts.popen.wait, 10)
        killed_at = len(results)
        # The other service keeps serving while accounts is down.
        other = await watcher.request("GET", "/api/projects")
        assert other.status_code == 200, other.text
        await eventually(lambda: asyncio.sleep(0, len(results)), until=lambda n: n >= killed_at + 8)
    finally:
        stop.set()
        try:
            await writers
        finally:  # started again whatever happened above
            accounts.stop()  # closes its log; the process is gone already
            # Back when its own readiness says so, then when the gateway's summary does too.
            await asyncio.to_thread(running.start_again, "accounts")
            await asyncio.to_thread(running.wait_until_healthy)

    after_kill = results[killed_at:]
    assert after_kill, "no request was made while accounts was down"
    for _, outcome, seconds in after_kill:
        if isinstance(outcome, httpx.Response) and outcome.status_code == 502:
            assert outcome.headers["content-type"].startswith("application/problem+json")
            assert seconds < QUICK, f"a 502 took {seconds:.1f}s"
    assert 502 in statuses(after_kill), statuses(after_kill)
    assert set(statuses(results)) <= {201, 502}, statuses(results)

    # Every answered registration is there once, with exactly one starter project; one that
    # died in flight is there at most once (committed before the kill or not at all).
    for n, outcome, _ in results:
        created = isinstance(outcome, httpx.Response) and outcome.status_code == 201
        login = await api.request(
            "POST", "/api/users/login", data={"username": emails[n], "password": PASSWORD}
        )
        if not created and login.status_code == 401:
            continue
        assert login.status_code == 200, (emails[n], login.text)
        user = api.as_user(login.json()["access_token"])
        page = await eventually(
            user.projects, until=lambda p: p["total"] >= 1, timeout=60, what="starter project"
        )
        assert page["total"] == 1, (emails[n], page)


async def test_a_postgresql_restart_under_load_is_survived_without_restarting_anything(
    api: TaskboardClient, stack: LocalStack | None
) -> None:
    running = local_stack(stack)
    cluster = PostgresCluster(running.database_url)
    owner, _ = await new_user(api, "pg-restart")
    names: dict[int, str] = {}
    emails: dict[int, str] = {}
    results: list[tuple[int, httpx.Response | Exception, float]] = []
    stop = asyncio.Event()

    async def write(n: int) -> httpx.Response:
        if n % 4 == 0:  # a registration now and then: accounts writes and its event
            emails[n] = unique_email(f"pg-{n}")
            return await api.request(
                "POST", "/api/users", json={"email": emails[n], "password": PASSWORD}
            )
        names[n] = f"Project {n:06d}"
        return await owner.request("POST", "/api/projects", json={"name": names[n]})

    writers = asyncio.create_task(load(write, stop, results))
    try:
        await eventually(lambda: asyncio.sleep(0, len(results)), until=lambda n: n >= 8)
        before = len(results)
        await asyncio.to_thread(cluster.restart)
        await eventually(
            lambda: asyncio.sleep(0, len(results)), until=lambda n: n >= before + 16, timeout=60
        )
    finally:
        stop.set()
        try:
            await writers
        finally:  # answering again before anything else, whatever happened above
            await asyncio.to_thread(cluster.restore)

    # No hang: every answer came well within the gateway's read timeout, and an outage is a 503
    # with Retry-After (a request that met the restart), never a 500.
    assert max(seconds for _, _, seconds in results) < 15, max(s for _, _, s in results)
    assert set(statuses(results)) <= {201, 503}, statuses(results)
    for _, outcome, _ in results:
        if isinstance(outcome, httpx.Response) and outcome.status_code == 503:
            assert "retry-after" in outcome.headers

    # Resumed without a restart: the stack is healthy, and every 2xx write is there with its
    # events delivered (starter projects from UserAccountCreated; accounts' projection of the
    # owner's projects from ProjectCreated).
    await eventually(
        lambda: api.request("GET", "/health"), until=lambda r: r.status_code == 200, timeout=60
    )
    # The LISTEN sessions too (the 1 s poll would hide a dead one): the restart ended every
    # session, so each one listening now was opened afterwards, by the same processes.
    await eventually(
        lambda: _listening(running.database_url),
        until=lambda names: names == {"accounts-service", "projects-service"},
        timeout=60,
        what="each service's outbox listener in a new LISTEN session",
    )
    created: list[dict[str, Any]] = []
    for n, outcome, _ in results:
        if not (isinstance(outcome, httpx.Response) and outcome.status_code == 201):
            continue
        if n in emails:
            user = api.as_user("")
            await user.login(emails[n], PASSWORD)
            await eventually(
                user.projects, until=lambda p: p["total"] == 1, timeout=60, what="starter project"
            )
        else:
            project = outcome.json()
            assert (await owner.request("GET", f"/api/projects/{project['id']}")).status_code == 200
            created.append(project)
    assert created, "no project write succeeded around the restart"
    wanted = {p["id"] for p in created}
    me = await eventually(
        owner.me,
        until=lambda body: wanted <= {p["id"] for p in body["projects"]},
        timeout=60,
        what="every created project in accounts' projection",
    )
    assert len(me["projects"]) == len({p["id"] for p in me["projects"]})


async def _listening(database_url: str) -> set[str]:
    """The services whose outbox listener has a session that ran its LISTEN (its only later
    statement is the periodic ``SELECT 1``)."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT application_name FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE '%-outbox-listener'"
            " AND state = 'idle' AND (query LIKE 'LISTEN%' OR query = 'SELECT 1')"
        )
    finally:
        await connection.close()
    return {row["application_name"].removesuffix("-outbox-listener") for row in rows}
