"""Scenario 4: a login storm (bcrypt-bound) with scenario 1's gateway read at 32 connections
beside it. Login req/s is set against this machine's bcrypt limit, measured here: cores divided
by the time of one ``checkpw`` at the production cost."""

from __future__ import annotations

import os
import statistics
import time
from urllib.parse import urlencode

import bcrypt

from bench import wrk
from bench.context import Context
from bench.report import ratio
from bench.scenarios.reads import bearer, tasks_path
from bench.target import PRODUCTION_BCRYPT_ROUNDS

CHECKS = 5


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
    report, target, options, seed = ctx.report, ctx.target, ctx.options, ctx.seed
    one_check = checkpw_seconds()
    cores = os.cpu_count() or 1
    limit = cores / one_check
    report.figure("s4.checkpw_ms", "4 bcrypt checkpw, 12 rounds (this run)", one_check * 1000, "ms")
    report.figure("s4.bcrypt_limit_rps", f"4 bcrypt limit = {cores} cores / checkpw", limit, "/s")

    login = wrk.Request(
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"username": seed.email, "password": seed.password}),
    )
    alone = wrk.run(
        target.gateway_url + "/api/users/login",
        login,
        connections=options.storm_connections,
        duration=options.duration,
        timeout=30,
    )
    alone_row = report.add_wrk("4 login storm", f"login c{options.storm_connections} alone", alone)
    report.figure(
        "s4.login_alone_over_limit",
        "4 login req/s alone / bcrypt limit",
        ratio(alone_row.rps, limit),
        "x",
    )
    storm = wrk.WrkRun(
        target.gateway_url + "/api/users/login",
        login,
        connections=options.storm_connections,
        duration=options.duration,
        timeout=30,
    )
    try:
        reads = wrk.run(
            target.gateway_url + tasks_path(ctx),
            bearer(ctx),
            connections=32,
            duration=options.duration,
        )
    finally:
        logins = storm.result()
    login_row = report.add_wrk(
        "4 login storm", f"login c{options.storm_connections} + reads c32", logins
    )
    reads_row = report.add_wrk("4 login storm", "read tasks gateway c32 beside", reads)
    report.figure(
        "s4.login_over_limit",
        "4 login req/s beside reads / bcrypt limit",
        ratio(login_row.rps, limit),
        "x",
    )
    baseline = next(
        (r for r in report.rows if r.scenario == "1 read tasks" and r.variant == "gateway c32"),
        None,
    )
    report.figure(
        "s4.read_p99_storm_ratio",
        "4 read p99 with storm / without (scenario 1 gateway c32)",
        ratio(reads_row.p99_ms, baseline.p99_ms if baseline else None),
        "x",
    )
    print(
        f"  logins {login_row.rps:.1f}/s (limit {limit:.1f}/s), reads beside "
        f"{reads_row.rps:.0f} req/s p99 {reads_row.p99_ms:.1f} ms"
    )
