"""Scenario 5: how long an event takes to show, sample by sample, one at a time.

A. registration → starter project. The clock starts when ``POST /api/users`` returns (its bcrypt
   hash is before that) and stops when the starter project is committed in projects-service's
   database, watched with a ~1 ms poll of SQL on the stack's own database. Reading it through the
   gateway needs a token, and a login is another bcrypt check (~0.3 s) that would hide the
   figure; so the gateway read comes after the clock stops, as a check that the API shows it:
   the user logs in and ``GET /api/projects`` must list "My first project".
B. ``POST /api/projects`` → ``GET /api/users/me`` lists it: the same user's token, polled through
   the gateway every ~1 ms from the moment the creation returns.

Both are measured after the previous sample finished, so no bcrypt of another request competes
for the CPU while an event travels."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from bench.context import Context
from bench.seed import PASSWORD, unique_email
from bench.stats import Summary

POLL_INTERVAL = 0.001
DEADLINE = 10.0
STARTER_PROJECT = "My first project"
STARTER_VISIBLE = """
SELECT EXISTS (
    SELECT 1 FROM projects.projects WHERE owner_id = $1 AND deleted_at IS NULL
)
"""


@dataclass
class Samples:
    starter_ms: list[float] = field(default_factory=list)  # A, SQL-visible
    starter_via_gateway_ms: list[float] = field(default_factory=list)  # A incl. login
    login_ms: list[float] = field(default_factory=list)
    listed_ms: list[float] = field(default_factory=list)  # B
    missing_after_login: int = 0  # gateway did not list the starter project on the first read
    timeouts: int = 0
    visible_at: dict[uuid.UUID, float] = field(default_factory=dict)  # owner -> wall clock
    legs_ms: dict[str, list[float]] = field(default_factory=dict)


def scenario_5(ctx: Context) -> None:
    samples = asyncio.run(collect(ctx))
    report = ctx.report
    rows = [
        ("register → starter committed", samples.starter_ms),
        ("register → starter via gw +login", samples.starter_via_gateway_ms),
        ("new project → in /users/me", samples.listed_ms),
    ]
    for variant, values in rows:
        if not values:
            continue
        summary = Summary.of(values)
        row = report.add_latency("5 propagation", variant, summary)
        print(f"  {variant:<34} p50 {row.p50_ms:.1f} ms  p99 {row.p99_ms:.1f} ms  n={summary.n}")
    if samples.starter_ms:
        summary = Summary.of(samples.starter_ms)
        report.figure(
            "s5.starter_p50_ms", "5 registration → starter project, p50", summary.p50, "ms"
        )
        report.figure(
            "s5.starter_p99_ms", "5 registration → starter project, p99", summary.p99, "ms"
        )
        report.figure(
            "s5.starter_max_ms", "5 registration → starter project, max", summary.max, "ms"
        )
    if samples.listed_ms:
        summary = Summary.of(samples.listed_ms)
        report.figure(
            "s5.listed_p50_ms", "5 project created → /users/me lists it, p50", summary.p50, "ms"
        )
        report.figure(
            "s5.listed_p99_ms", "5 project created → /users/me lists it, p99", summary.p99, "ms"
        )
        report.figure(
            "s5.listed_max_ms", "5 project created → /users/me lists it, max", summary.max, "ms"
        )
    if samples.login_ms:
        report.figure(
            "s5.login_p50_ms", "5 one login (bcrypt), p50", Summary.of(samples.login_ms).p50, "ms"
        )
    report.figure(
        "s5.missing_after_login",
        "5 starter project not yet listed at the first gateway read",
        float(samples.missing_after_login),
    )
    report.figure(
        "s5.timeouts", f"5 samples not seen within {DEADLINE:.0f}s", float(samples.timeouts)
    )
    for leg, values in samples.legs_ms.items():
        if values:
            summary = Summary.of(values)
            for stat, value in (("p50", summary.p50), ("p99", summary.p99)):
                report.figure(
                    f"s5.leg_{leg.replace(' ', '_')}_{stat}_ms",
                    f"5 starter leg '{leg}', {stat}",
                    value,
                    "ms",
                )
    report.raw["5 propagation samples"] = {
        "starter_ms": samples.starter_ms,
        "starter_via_gateway_ms": samples.starter_via_gateway_ms,
        "listed_ms": samples.listed_ms,
    }


async def collect(ctx: Context) -> Samples:
    samples = Samples()
    database_url = ctx.target.database_url
    if database_url is None:
        ctx.report.notes.append(
            "5A needs the stack's database (BENCH_DATABASE_URL): only the gateway figure, "
            "login included, was measured"
        )
    connection = await asyncpg.connect(database_url) if database_url else None
    try:
        async with httpx.AsyncClient(base_url=ctx.target.gateway_url, timeout=30) as http:
            for _ in range(ctx.options.samples):
                await one_sample(http, connection, samples)
        if connection is not None:
            samples.legs_ms = await legs(connection, samples.visible_at)
    finally:
        if connection is not None:
            await connection.close()
    return samples


async def one_sample(
    http: httpx.AsyncClient, connection: asyncpg.Connection | None, samples: Samples
) -> None:
    email = unique_email("event")
    registered = await http.post("/api/users", json={"email": email, "password": PASSWORD})
    start = time.perf_counter()
    registered.raise_for_status()
    owner_id = uuid.UUID(registered.json()["id"])

    if connection is not None:
        if await _poll(lambda: connection.fetchval(STARTER_VISIBLE, owner_id)):
            samples.starter_ms.append((time.perf_counter() - start) * 1000)
            samples.visible_at[owner_id] = time.time()
        else:
            samples.timeouts += 1

    login_start = time.perf_counter()
    login = await http.post("/api/users/login", data={"username": email, "password": PASSWORD})
    login.raise_for_status()
    samples.login_ms.append((time.perf_counter() - login_start) * 1000)
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def starter_listed() -> bool:
        response = await http.get("/api/projects", headers=auth)
        response.raise_for_status()
        return any(p["name"] == STARTER_PROJECT for p in response.json()["projects"])

    if not await starter_listed():
        samples.missing_after_login += 1
        if not await _poll(starter_listed):
            samples.timeouts += 1
            return
    samples.starter_via_gateway_ms.append((time.perf_counter() - start) * 1000)

    created = await http.post("/api/projects", json={"name": "Propagation"}, headers=auth)
    start = time.perf_counter()
    created.raise_for_status()
    project_id = created.json()["id"]

    async def listed() -> bool:
        response = await http.get("/api/users/me", headers=auth)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return any(p["id"] == project_id for p in body["projects"])

    if await _poll(listed):
        samples.listed_ms.append((time.perf_counter() - start) * 1000)
    else:
        samples.timeouts += 1


LEGS = """
SELECT o.aggregate_id, o.created_at, o.published_at, i.processed_at
FROM accounts.outbox AS o JOIN projects.inbox AS i ON i.message_id = o.message_id
WHERE o.message_type = 'UserAccountCreated' AND o.aggregate_id = ANY($1::uuid[])
"""


async def legs(
    connection: asyncpg.Connection, visible_at: dict[uuid.UUID, float]
) -> dict[str, list[float]]:
    """Where the time of 5A went, from the services' own timestamps (one clock, this machine):
    the registration's transaction start to the relay's batch transaction start (published_at),
    from there to the consumer's transaction start (inbox processed_at), and from there until
    the starter project was seen committed."""
    found: dict[str, list[float]] = {
        "registration tx to relay": [],
        "relay to consumer": [],
        "consumer": [],
    }
    for row in await connection.fetch(LEGS, list(visible_at)):
        created, published, processed = (
            row[name].timestamp() for name in ("created_at", "published_at", "processed_at")
        )
        found["registration tx to relay"].append((published - created) * 1000)
        found["relay to consumer"].append((processed - published) * 1000)
        found["consumer"].append((visible_at[row["aggregate_id"]] - processed) * 1000)
    return found


async def _poll(probe: Callable[[], Awaitable[Any]]) -> bool:
    """Call ``probe()`` every POLL_INTERVAL until it is true; False at the deadline."""
    deadline = time.perf_counter() + DEADLINE
    while time.perf_counter() < deadline:
        if await probe():
            return True
        await asyncio.sleep(POLL_INTERVAL)
    return False
