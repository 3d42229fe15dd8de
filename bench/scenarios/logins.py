"""Scenario 4: a login storm (bcrypt-bound) with scenario 1's gateway read beside it. Login req/s
is set against this machine's bcrypt limit, measured here: cores divided by the time of one
``checkpw`` at the production cost.

The judged read load is steady: a few clients, each pausing between requests, the way people
read. Its p99 beside the storm is set against its p99 alone. A saturating read load (c32) is
also run beside the storm, for information only: when both loads want every core, the kernel
shares the two cores among all busy threads, so neither can keep its solo figure."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace
from urllib.parse import urlencode

import bcrypt

from bench import wrk
from bench.context import Context
from bench.report import ratio
from bench.scenarios.reads import bearer, tasks_path
from bench.target import PRODUCTION_BCRYPT_ROUNDS

CHECKS = 5
STEADY_CONNECTIONS = 4
STEADY_PAUSE_MS = 20  # 4 clients, 20 ms apart: about 170 req/s, a tenth of the machine
# Runs here last twice the usual duration: a login takes about a second beside the others, and
# wrk counts only the requests that finished, so a short run undercounts the storm (up to 8
# logins cut off), and the steady reads' p99 needs the samples.
DURATION_FACTOR = 2


def checkpw_seconds(rounds: int = PRODUCTION_BCRYPT_ROUNDS, checks: int = CHECKS) -> float:
    """Median time of one bcrypt check of a correct password at ``rounds``."""
    password = b"bench password 1"
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds))
    times = []
    for _ in range(checks):
        start = time.perf_counter()
        bcrypt.checkpw(password, hashed)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scenario_4(ctx: Context) -> None:
    report, options = ctx.report, ctx.options
    one_check = checkpw_seconds()
    cores = os.cpu_count() or 1
    limit = cores / one_check
    report.figure("s4.checkpw_ms", "4 bcrypt checkpw, 12 rounds (this run)", one_check * 1000, "ms")
    report.figure("s4.bcrypt_limit_rps", f"4 bcrypt limit = {cores} cores / checkpw", limit, "/s")
    storm = f"login c{options.storm_connections}"
    steady = replace(bearer(ctx), pause_ms=STEADY_PAUSE_MS)
    steady_name = f"reads c{STEADY_CONNECTIONS}, {STEADY_PAUSE_MS} ms apart"

    alone = report.add_wrk("4 login storm", f"{storm} alone", _storm(ctx).result())
    report.figure(
        "s4.login_alone_over_limit",
        "4 login req/s alone / bcrypt limit",
        ratio(alone.rps, limit),
        "x",
    )
    quiet = report.add_wrk(
        "4 login storm", f"{steady_name}, alone", _reads(ctx, steady, STEADY_CONNECTIONS)
    )
    # Judged: a steady read load beside the storm.
    logins, reads = _beside_the_storm(ctx, steady, STEADY_CONNECTIONS)
    login_row = report.add_wrk("4 login storm", f"{storm} + {steady_name}", logins)
    reads_row = report.add_wrk("4 login storm", f"{steady_name}, beside the storm", reads)
    report.figure(
        "s4.login_over_limit",
        "4 login req/s beside steady reads / bcrypt limit",
        ratio(login_row.rps, limit),
        "x",
    )
    report.figure(
        "s4.read_p99_storm_ratio",
        "4 steady reads' p99 with storm / without",
        ratio(reads_row.p99_ms, quiet.p99_ms),
        "x",
    )
    # For information: reads saturating too. The scheduler then shares both cores among all the
    # busy threads, bcrypt's two among them, so logins get a share, not the limit.
    logins, reads = _beside_the_storm(ctx, bearer(ctx), 32)
    saturated = report.add_wrk("4 login storm", f"{storm} + reads c32 (saturating)", logins)
    report.add_wrk("4 login storm", "reads c32, beside the storm", reads)
    report.figure(
        "s4.login_over_limit_saturated",
        "4 login req/s beside saturating reads / bcrypt limit",
        ratio(saturated.rps, limit),
        "x",
    )
    print(
        f"  logins {login_row.rps:.1f}/s (limit {limit:.1f}/s) beside steady reads, whose p99 was "
        f"{reads_row.p99_ms:.1f} ms (alone {quiet.p99_ms:.1f} ms); beside saturating reads "
        f"{saturated.rps:.1f}/s"
    )


def _storm(ctx: Context) -> wrk.WrkRun:
    """Concurrent logins of the seeded user, each a full bcrypt check, for one run's duration."""
    login = wrk.Request(
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"username": ctx.seed.email, "password": ctx.seed.password}),
    )
    return wrk.WrkRun(
        ctx.target.gateway_url + "/api/users/login",
        login,
        connections=ctx.options.storm_connections,
        duration=_duration(ctx),
        timeout=30,
    )


def _reads(ctx: Context, request: wrk.Request, connections: int) -> wrk.WrkResult:
    url = ctx.target.gateway_url + tasks_path(ctx)
    return wrk.run(url, request, connections=connections, duration=_duration(ctx))


def _duration(ctx: Context) -> float:
    return ctx.options.duration * DURATION_FACTOR


def _beside_the_storm(
    ctx: Context, request: wrk.Request, connections: int
) -> tuple[wrk.WrkResult, wrk.WrkResult]:
    storm = _storm(ctx)
    try:
        reads = _reads(ctx, request, connections)
    finally:
        logins = storm.result()
    return logins, reads
