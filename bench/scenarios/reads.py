"""Scenario 1: ``GET /api/projects/{id}/tasks`` through the gateway, directly at projects-service
and through nginx, at 1 and 32 connections, with each proxy's CPU per request.
Scenario 3: ``GET /api/users/me`` through the gateway."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from bench import nginx, wrk
from bench.context import Context
from bench.measure import Measured, measured_run
from bench.report import Row, ratio

CONNECTIONS = (1, 32)
SCENARIO_1 = "1 read tasks"


@dataclass(frozen=True)
class Way:
    """One way to reach projects-service: its base URL and the proxy processes on the way."""

    name: str
    url: str
    proxy_pids: tuple[int, ...] = ()


def bearer(ctx: Context) -> wrk.Request:
    return wrk.Request(headers={"Authorization": f"Bearer {ctx.seed.token}"})


def tasks_path(ctx: Context) -> str:
    return f"/api/projects/{ctx.seed.read_project_id}/tasks"


def _pids(ctx: Context, name: str) -> tuple[int, ...]:
    pid = ctx.target.pids.get(name)
    return (pid,) if pid else ()


def scenario_1(ctx: Context) -> None:
    target, report, options = ctx.target, ctx.report, ctx.options
    request, path = bearer(ctx), tasks_path(ctx)
    with ExitStack() as stack:
        ways = [Way("gateway", target.gateway_url, _pids(ctx, "gateway"))]
        if target.projects_url:
            ways.append(Way("direct", target.projects_url))
            if nginx.installed():
                proxy = stack.enter_context(nginx.Nginx(target.projects_url))
                ways.append(Way("nginx", proxy.url, tuple(proxy.pids)))
            else:
                report.notes.append("nginx is not installed: no nginx comparison")
        else:
            report.notes.append("PROJECTS_URL not given: no direct or nginx comparison")
        for way in ways:  # pools, JWKS cache, first-request costs
            wrk.run(way.url + path, request, connections=32, duration=options.warmup)
        # Interleaved rounds, best kept: what runs beside the benchmark only ever slows it.
        runs: dict[tuple[str, int], list[Measured]] = {}
        for _ in range(options.rounds):
            for way in ways:
                for connections in CONNECTIONS:
                    runs.setdefault((way.name, connections), []).append(
                        measured_run(
                            target,
                            way.url + path,
                            request,
                            connections=connections,
                            duration=options.duration,
                            cpu={way.name: way.proxy_pids, "projects": _pids(ctx, "projects")},
                        )
                    )
        for (name, connections), measured in runs.items():
            record(ctx, name, connections, measured)
    headline_ratios(ctx)


def record(ctx: Context, way: str, connections: int, measured: list[Measured]) -> None:
    """The best of the rounds (highest req/s) goes into the table; all of them into the JSON."""
    report = ctx.report
    best = max(measured, key=lambda run: run.result.rps)
    for name, us in best.cpu_us.items():
        proxied = name == way
        key = f"{name}_cpu_us" if proxied else f"{name}_cpu_us_via_{way}"
        label = "per proxied request" if proxied else f"per request via {way}"
        report.figure(f"s1.{key}_c{connections}", f"1 {name} CPU {label}, c{connections}", us, "µs")
    note = best.note() + (f"; best of {len(measured)}" if len(measured) > 1 else "")
    row = report.add_wrk(SCENARIO_1, f"{way} c{connections}", best.result, note)
    report.raw[f"{row.key} (all rounds)"] = [run.result.as_dict() for run in measured]
    rounds = ", ".join(f"{run.result.rps:.0f}" for run in measured)
    print(f"  {row.variant:<14} {row.rps:8.0f} req/s  p50 {row.p50_ms:.2f} ms  (rounds: {rounds})")


def _rps(row: Row | None) -> float | None:
    return row.rps if row else None


def headline_ratios(ctx: Context) -> None:
    report = ctx.report
    rows = {row.variant: row for row in report.rows if row.scenario == SCENARIO_1}
    for c in CONNECTIONS:
        gateway, direct, proxy = (
            rows.get(f"{name} c{c}") for name in ("gateway", "direct", "nginx")
        )
        pairs = [
            ("gateway", "direct", gateway, direct),
            ("gateway", "nginx", gateway, proxy),
            ("nginx", "direct", proxy, direct),
        ]
        for top, bottom, a, b in pairs:
            report.figure(
                f"s1.{top}_over_{bottom}_c{c}",
                f"1 throughput {top} / {bottom}, c{c}",
                ratio(_rps(a), _rps(b)),
                "x",
            )
        if c == 1:  # at 32 connections p50 is queueing in the saturated service, not the proxy
            for name, row in (("gateway", gateway), ("nginx", proxy)):
                added = None
                if row and direct and row.p50_ms is not None and direct.p50_ms is not None:
                    added = row.p50_ms - direct.p50_ms
                report.figure(f"s1.{name}_added_p50_ms_c1", f"1 {name} added p50, c1", added, "ms")
    report.figure(
        "s1.gateway_cpu_over_nginx_cpu_c32",
        "1 CPU per proxied request gateway / nginx, c32",
        ratio(report.value("s1.gateway_cpu_us_c32"), report.value("s1.nginx_cpu_us_c32")),
        "x",
    )


def scenario_3(ctx: Context) -> None:
    request = bearer(ctx)
    url = ctx.target.gateway_url + "/api/users/me"
    for connections in CONNECTIONS:
        run = measured_run(
            ctx.target,
            url,
            request,
            connections=connections,
            duration=ctx.options.duration,
            cpu={"gateway": _pids(ctx, "gateway"), "accounts": _pids(ctx, "accounts")},
        )
        if "accounts" in run.cpu_us:
            ctx.report.figure(
                f"s3.accounts_cpu_us_c{connections}",
                f"3 accounts CPU per request, c{connections}",
                run.cpu_us["accounts"],
                "µs",
            )
        row = ctx.report.add_wrk("3 users/me", f"gateway c{connections}", run.result, run.note())
        print(f"  {row.variant:<14} {row.rps:8.0f} req/s  p50 {row.p50_ms:.2f} ms")
