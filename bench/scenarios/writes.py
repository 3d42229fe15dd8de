"""Scenario 2: ``POST /api/projects/{id}/tasks`` from 32 connections on ONE project.

Lost races on the next task number may answer 409 (by design); a 5xx never. Afterwards the
project's task list is read back: as many tasks as 201 answers, numbered 1..n without a gap."""

from __future__ import annotations

import json
import time

import httpx

from bench import wrk
from bench.context import Context
from bench.report import describe_statuses

CONNECTIONS = 32


def scenario_2(ctx: Context) -> None:
    seed, report = ctx.seed, ctx.report
    path = f"/api/projects/{seed.write_project_id}/tasks"
    request = wrk.Request(
        method="POST",
        headers={"Authorization": f"Bearer {seed.token}", "Content-Type": "application/json"},
        body=json.dumps({"name": "Benchmark task"}),
    )
    result = wrk.run(
        ctx.target.gateway_url + path,
        request,
        connections=CONNECTIONS,
        duration=ctx.options.duration,
    )
    created, conflicts, server_errors = result.count(201), result.count(409), result.server_errors
    numbers = read_back(ctx.target.gateway_url + path, seed.token)
    consistent = is_consistent(numbers, created, in_flight=CONNECTIONS)
    note = (
        f"201:{created} 409:{conflicts} 5xx:{server_errors}; read back {len(numbers)} tasks, "
        f"{'numbered 1..n' if consistent else 'INCONSISTENT'}"
    )
    others = " ".join(
        part for part in describe_statuses(result).split() if not part.startswith("409:")
    )
    row = report.add_wrk(
        "2 write task",
        f"gateway c{CONNECTIONS}, 1 project",
        result,
        note="; ".join(filter(None, [note, others])),
    )
    report.figure("s2.created", "2 tasks created (201)", float(created))
    report.figure("s2.conflicts_409", "2 lost races (409)", float(conflicts))
    report.figure(
        "s2.server_errors",
        "2 server errors (5xx) and socket errors",
        float(server_errors + result.failures),
    )
    report.figure(
        "s2.read_back_consistent", "2 tasks read back = 201s, numbered 1..n", float(consistent)
    )
    print(f"  {row.variant:<14} {row.rps:8.0f} req/s  {note}")


def is_consistent(numbers: list[int], created: int, *, in_flight: int) -> bool:
    """Tasks are numbered 1..n without gap or repeat, and n counts every 201 plus at most the
    requests still in flight when wrk stopped (created, but their answer never counted)."""
    return sorted(numbers) == list(range(1, len(numbers) + 1)) and (
        created <= len(numbers) <= created + in_flight
    )


def read_back(url: str, token: str) -> list[int]:
    """The task numbers, once requests cut off when wrk stopped have finished (two equal reads
    half a second apart)."""
    previous: list[int] | None = None
    for _ in range(20):
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        response.raise_for_status()
        numbers = [task["number"] for task in response.json()["tasks"]]
        if numbers == previous:
            break
        previous = numbers
        time.sleep(0.5)
    return numbers
