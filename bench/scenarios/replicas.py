"""Scenario 8: what a second replica costs or brings on this machine, each beside one, same run.

A. Scenario 1's read at 32 connections through a gateway with two replicas of projects-service
   (a second projects process and a second gateway knowing both) beside the stack's gateway with
   one, interleaved rounds, the best of each kept.
B. Two outbox relays (a second accounts process, consumers off) draining one outbox of N rows
   beside the stack's one relay alone; a queue bound to the rows' key must hold exactly N after,
   so each row was published once.
C. Two competing consumers (projects-worker processes, relay off) draining a backlog of
   UserAccountCreated beside one, with projects-service's own consumer stopped meanwhile; the
   drain rate is measured on the database's side (the first to the last starter project
   committed), and every user must have exactly one starter project at the end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import aio_pika
import asyncpg
import httpx
from taskboard_e2e.stack import LocalStack, Process

from bench import wrk
from bench.context import Context
from bench.report import Row, ratio
from bench.scenarios.reads import bearer, tasks_path
from bench.scenarios.relay import relay_time
from taskboard_testing import free_port

SCENARIO = "8 replicas"
BIN = Path(sys.executable).parent
READY_SECONDS = 120.0
DRAIN_SECONDS = 300.0


def scenario_8(ctx: Context) -> None:
    stack = ctx.target.stack
    if stack is None:
        ctx.report.notes.append("8 skipped: it adds replicas to a stack started by the benchmark")
        return
    projects_replicas(ctx, stack)
    asyncio.run(relays(ctx, stack))
    asyncio.run(consumers(ctx, stack))


# ---- processes beside the stack
def uvicorn(service: str, port: int) -> list[str]:
    factory = f"{service}.entrypoints.http.app:create_app"
    return [str(BIN / "uvicorn"), factory, "--factory", "--port", str(port), "--no-proxy-headers"]


@contextmanager
def extra(
    stack: LocalStack, name: str, argv: list[str], *, service: str | None = None, **env: str
) -> Iterator[Process]:
    """A process with the stack's environment (plus ``env``), stopped on leaving; a process of
    ``service`` connects as that service's own logins, as the stack's own processes do."""
    own = stack.service_env(service) if service else {}
    process = Process(name, argv, {**stack.env(), **own, **env}, stack.workdir / f"{name}.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def extra_gateway(
    stack: LocalStack, name: str, port: int, projects_urls: str, **env: str
) -> AbstractContextManager[Process]:
    """A second gateway on ``port`` (its admin port any free one, the stack's being taken),
    routing to the stack's accounts and to ``projects_urls``."""
    return extra(
        stack,
        name,
        [str(BIN / "gateway")],
        GATEWAY_PORT=str(port),
        GATEWAY_ADMIN_PORT=str(free_port()),
        ACCOUNTS_URLS=stack.url("accounts"),
        PROJECTS_URLS=projects_urls,
        **env,
    )


def wait_ok(url: str, process: Process, *, until: str = "") -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == 200 and until in answer.text:
                return
        except httpx.TransportError:
            pass
        if process.popen is None or process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} not ready at {url}:\n{process.log_tail()}")
        time.sleep(0.1)


# ---- A: reads through two replicas of projects
def projects_replicas(ctx: Context, stack: LocalStack) -> None:
    report, options = ctx.report, ctx.options
    request, path = bearer(ctx), tasks_path(ctx)
    second, gateway_port = free_port(), free_port()
    jwks = f"{stack.url('accounts')}/.well-known/jwks.json"
    with ExitStack() as running:
        projects = running.enter_context(
            extra(
                stack,
                "bench-projects-2",
                uvicorn("projects", second),
                service="projects",
                JWKS_URL=jwks,
            )
        )
        wait_ok(f"http://127.0.0.1:{second}/health/ready", projects)
        gateway = running.enter_context(
            extra_gateway(
                stack,
                "bench-gateway-2",
                gateway_port,
                f"{stack.url('projects')},http://127.0.0.1:{second}",
            )
        )
        two_url = f"http://127.0.0.1:{gateway_port}"
        wait_ok(f"{two_url}/health", gateway, until='"projects": ["ok", "ok"]')
        ways = {"projects x1": ctx.target.gateway_url, "projects x2": two_url}
        for url in ways.values():
            wrk.run(url + path, request, connections=32, duration=options.warmup)
        runs: dict[str, list[wrk.WrkResult]] = {name: [] for name in ways}
        for _ in range(options.rounds):
            for name, url in ways.items():
                result = wrk.run(url + path, request, connections=32, duration=options.duration)
                runs[name].append(result)
    best = {name: max(results, key=lambda r: r.rps) for name, results in runs.items()}
    for name, result in best.items():
        row = report.add_wrk(SCENARIO, f"{name} via gateway c32", result)
        rounds = ", ".join(f"{r.rps:.0f}" for r in runs[name])
        print(f"  {row.variant:<28} {row.rps:8.0f} req/s (rounds: {rounds})")
    report.figure(
        "s8.projects_two_over_one",
        "8 read c32 via gateway: projects x2 / x1",
        ratio(best["projects x2"].rps, best["projects x1"].rps),
        "x",
    )


# ---- B: two relays on one outbox
async def relays(ctx: Context, stack: LocalStack) -> None:
    rows = ctx.options.outbox_rows
    connection = await asyncpg.connect(stack.database_url)
    amqp = await aio_pika.connect(stack.amqp_url)
    try:
        channel = await amqp.channel(publisher_confirms=True)
        one, arrived_one = await relay_time(connection, channel, rows)
        port = free_port()
        with extra(
            stack,
            "bench-accounts-2",
            uvicorn("accounts", port),
            service="accounts",
            RUN_CONSUMERS="false",
        ) as p:
            await asyncio.to_thread(wait_ok, f"http://127.0.0.1:{port}/health/ready", p)
            two, arrived_two = await relay_time(connection, channel, rows)
    finally:
        await amqp.close()
        await connection.close()
    report = ctx.report
    for name, seconds, arrived in (
        ("one relay", one, arrived_one),
        ("two relays", two, arrived_two),
    ):
        note = f"{rows:,} rows in {seconds:.1f} s; {arrived:,} messages arrived"
        report.rows.append(
            Row(SCENARIO, name, rps=rows / seconds, non_2xx=arrived - rows, note=note)
        )
        print(f"  {name:<12} {rows / seconds:8.0f} rows/s, {arrived} arrived of {rows}")
    report.figure("s8.relay_two_over_one", "8 relay rate: two / one", ratio(one, two), "x")
    report.figure(
        "s8.relay_duplicates",
        "8 relay messages beyond one per row",
        arrived_one + arrived_two - 2 * rows,
        "",
    )


# ---- C: two consumers on one backlog
STARTERS = """
SELECT count(*) AS n, count(DISTINCT owner_id) AS owners,
       extract(epoch FROM max(created_at) - min(created_at)) AS seconds
FROM projects.projects WHERE owner_id = ANY($1::uuid[]) AND name = 'My first project'
"""


async def consumers(ctx: Context, stack: LocalStack) -> None:
    count = ctx.options.backlog
    projects = stack.processes["projects"]
    connection = await asyncpg.connect(stack.database_url)
    results: dict[str, float] = {}
    users: list[str] = []
    try:
        projects.stop()  # its consumer would drain the backlog as it is made
        for workers in (1, 2):
            batch = [str(uuid.uuid4()) for _ in range(count)]
            users += batch
            await publish_registrations(stack.amqp_url, batch)
            with ExitStack() as running:
                for n in range(workers):
                    argv = [str(BIN / "projects-worker")]
                    running.enter_context(
                        # each its own metrics port: two on one machine cannot share 8012
                        extra(
                            stack,
                            f"bench-consumer-{n + 1}",
                            argv,
                            service="projects",
                            RUN_RELAY="false",
                            WORKER_METRICS_PORT="0",
                        )
                    )
                row = await drained(connection, batch)
            results[f"{workers}"] = count / max(float(row["seconds"] or 0), 1e-6)
        final = await connection.fetchrow(STARTERS, users)
    finally:
        if projects.popen is None:
            projects.start()
            await asyncio.to_thread(stack.wait_until_healthy, READY_SECONDS)
        await connection.close()
    report = ctx.report
    for key, rate in results.items():
        name = "one consumer" if key == "1" else "two consumers"
        report.rows.append(
            Row(SCENARIO, name, rps=rate, non_2xx=0, note=f"{count:,} UserAccountCreated drained")
        )
        print(f"  {name:<14} {rate:8.0f} msg/s")
    report.figure(
        "s8.consumers_two_over_one",
        "8 consumer rate: two / one",
        ratio(results["2"], results["1"]),
        "x",
    )
    report.figure(
        "s8.starter_mismatches",
        f"8 users without exactly one starter project (of {len(users):,})",
        (len(users) - final["owners"]) + (final["n"] - final["owners"]),
        "",
    )


async def publish_registrations(amqp_url: str, users: list[str]) -> None:
    """One UserAccountCreated per user, as accounts' relay would publish it."""
    amqp = await aio_pika.connect(amqp_url)
    try:
        channel = await amqp.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("accounts.events")
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        pending = iter(users)

        async def publisher() -> None:
            for user_id in pending:
                message_id = str(uuid.uuid4())
                body = {
                    "message_id": message_id,
                    "type": "UserAccountCreated",
                    "version": 1,
                    "occurred_at": now,
                    "producer": "accounts-service",
                    "correlation_id": "bench-backlog",
                    "aggregate_id": user_id,
                    "aggregate_version": 1,
                    "payload": {"user_id": user_id, "email": f"backlog-{user_id}@example.com"},
                }
                message = aio_pika.Message(
                    json.dumps(body).encode(),
                    message_id=message_id,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await exchange.publish(message, routing_key="user.account_created.v1")

        await asyncio.gather(*(publisher() for _ in range(64)))
    finally:
        await amqp.close()


async def drained(connection: asyncpg.Connection, users: list[str]) -> asyncpg.Record:
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        row = await connection.fetchrow(STARTERS, users)
        if row["owners"] >= len(users):
            return row
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{row['owners']} of {len(users)} starter projects in {DRAIN_SECONDS}s"
            )
        await asyncio.sleep(0.05)
