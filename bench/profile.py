"""``python -m bench profile`` (``make bench-profile``): where the CPU goes per request.

Starts the stack like ``make bench``, drives one scenario at a time with wrk, and meanwhile
samples the services with py-spy (``record --format raw``). For each profile it prints the
functions with the most samples on the stack (inclusive) and on top (self), and saves the raw
stacks (flamegraph-ready) in a temporary directory. PostgreSQL's per-table counters tell scans by
index from sequential ones; pg_stat_activity tells how many connections each service holds."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench import wrk
from bench.scenarios import relay
from bench.seed import Seed, seed
from bench.target import Target, open_target

SECONDS = 12
RATE = 250  # samples per second
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


@dataclass(frozen=True)
class Load:
    name: str
    path: str
    request: wrk.Request
    services: tuple[str, ...]


def loads(data: Seed) -> list[Load]:
    token = bearer_request(data)
    return [
        Load(
            "1 GET tasks via gateway c32",
            f"/api/projects/{data.read_project_id}/tasks",
            token,
            ("gateway", "projects"),
        ),
        Load("3 GET users/me via gateway c32", "/api/users/me", token, ("accounts",)),
        Load(
            "2 POST task via gateway c32",
            f"/api/projects/{data.write_project_id}/tasks",
            wrk.Request(
                "POST",
                {**token.headers, "Content-Type": "application/json"},
                body='{"name": "Profiled task"}',
            ),
            ("projects",),
        ),
    ]


def bearer_request(data: Seed) -> wrk.Request:
    return wrk.Request(headers={"Authorization": f"Bearer {data.token}"})


def summarize(raw: str, top: int = 25) -> str:
    """Inclusive and self sample shares by function from py-spy's raw (collapsed) stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_function(frame) for frame in stack.split(";") if frame]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for function in set(frames):
            inclusive[function] += count
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; inclusive (on the stack):"]
    lines += [f"    {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["  self (on top):"]
    lines += [f"    {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def _function(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    file = match["file"]
    for marker in ("site-packages/", "/src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{match['function']} ({file})"


def record(pid: int, out: Path, seconds: int) -> subprocess.Popen[bytes]:
    executable = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which(
        "py-spy"
    )
    if executable is None:
        raise RuntimeError("py-spy is not installed (make install: it is in the dev group)")
    argv = [executable, "record", "--format", "raw", "--rate", str(RATE), "--nonblocking"]
    argv += ["--duration", str(seconds), "--pid", str(pid), "--output", str(out)]
    return subprocess.Popen(  # noqa: S603 - py-spy with our own arguments
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def table_counters(database_url: str) -> dict[str, dict[str, Any]]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT schemaname || '.' || relname AS name, seq_scan, seq_tup_read, idx_scan,"
            " n_tup_ins, n_tup_upd FROM pg_stat_user_tables"
        )
        database = await connection.fetchrow(
            "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, sessions"
            " FROM pg_stat_database"
            " WHERE datname = current_database()"
        )
        activity = await connection.fetch(
            "SELECT application_name, usename, state, count(*) AS n FROM pg_stat_activity"
            " WHERE datname = current_database() GROUP BY 1, 2, 3"
        )
    finally:
        await connection.close()
    counters = {row["name"]: dict(row) for row in rows}
    counters["(database)"] = dict(database) if database else {}
    counters["(connections)"] = {
        f"{r['application_name'] or '-'} {r['state']}": r["n"] for r in activity
    }
    return counters


def counter_deltas(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], requests: int
) -> str:
    lines = []
    for name, now in after.items():
        if name == "(connections)":
            lines.append(f"  connections at the end: {now}")
            continue
        then = before.get(name, {})
        changed = {
            key: (value or 0) - (then.get(key) or 0)
            for key, value in now.items()
            if isinstance(value, int) and (value or 0) != (then.get(key) or 0)
        }
        if changed and requests:
            per_request = ", ".join(f"{k} {v / requests:.2f}" for k, v in changed.items())
            lines.append(f"  {name}: per request {per_request}")
    return "\n".join(lines)


def profile(target: Target, data: Seed, directory: Path) -> None:
    for load in loads(data):
        pids = {name: target.pids[name] for name in load.services if name in target.pids}
        wrk.run(target.gateway_url + load.path, load.request, connections=32, duration=2)
        before = asyncio.run(table_counters(target.database_url)) if target.database_url else {}
        slug = re.sub(r"[^a-z0-9]+", "-", load.name.lower()).strip("-")
        outputs = {name: directory / f"{slug}.{name}.txt" for name in pids}
        recorders = [record(pid, outputs[name], SECONDS) for name, pid in pids.items()]
        result = wrk.run(
            target.gateway_url + load.path, load.request, connections=32, duration=SECONDS
        )
        for recorder in recorders:
            _, errors = recorder.communicate(timeout=60)
            if recorder.returncode != 0:
                print(f"py-spy failed: {errors.decode(errors='replace')}")
        print(
            f"\n=== {load.name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
            f"statuses {result.statuses}"
        )
        if target.database_url:
            after = asyncio.run(table_counters(target.database_url))
            print(counter_deltas(before, after, result.requests))
        for name, path in outputs.items():
            print(f"--- {name} (pid {pids[name]}), raw stacks: {path}")
            print(summarize(path.read_text() if path.exists() else ""))


async def _insert_outbox_rows(database_url: str, count: int) -> str:
    tag = f"bench-profile-{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            relay.INSERT, count, relay.ACCOUNTS_EXCHANGE, relay.ROUTING_KEY, tag
        )
    finally:
        await connection.close()
    return tag


def profile_relay(target: Target, directory: Path, rows: int = 20_000) -> None:
    """accounts-service while its relay moves ``rows`` outbox rows to the broker."""
    pid = target.pids.get("accounts")
    if target.database_url is None or pid is None:
        return
    output = directory / "6-relay.accounts.txt"
    recorder = record(pid, output, SECONDS)
    asyncio.run(_insert_outbox_rows(target.database_url, rows))
    _, errors = recorder.communicate(timeout=60)
    if recorder.returncode != 0:
        print(f"py-spy failed: {errors.decode(errors='replace')}")
    print(f"\n=== 6 relay of {rows} outbox rows (first {SECONDS} s)")
    print(f"--- accounts (pid {pid}), raw stacks: {output}")
    print(summarize(output.read_text() if output.exists() else ""))


def main() -> int:
    directory = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    with open_target() as target:
        data = asyncio.run(seed(target.gateway_url))
        profile(target, data, directory)
        profile_relay(target, directory)
    print(f"\nraw py-spy stacks kept in {directory}")
    return 0
