"""Scenario 9: what tracing costs. Scenario 1's read (``GET /api/projects/{id}/tasks``, 32
connections, through a gateway) through a gateway and a projects-service that trace every
request (``OTEL_TRACES_SAMPLER=always_on``, OTLP/HTTP to a receiver in this process that counts
the spans) beside the same two processes untraced (``OTEL_SDK_DISABLED=true``), same run,
interleaved rounds, the best of each kept. Both pairs are extra processes started alike but for
the ``OTEL_*`` variables (projects' relay and consumers off: reads only), so the ratio is
tracing's alone; each pair's CPU per request is measured too. A third pair traces with
``OTEL_TRACES_SAMPLER=always_off``: what a request costs that sampling leaves out (context
propagated, no span recorded or exported), for an operator choosing a sampler."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from taskboard_e2e.stack import LocalStack

from bench import wrk
from bench.context import Context
from bench.measure import Measured, measured_run
from bench.report import ratio
from bench.scenarios.reads import bearer, tasks_path
from bench.scenarios.replicas import extra, extra_gateway, uvicorn, wait_ok
from taskboard_testing import free_port
from taskboard_testing.otlp import OtlpReceiver

SCENARIO = "9 tracing"
CONNECTIONS = 32
READS_ONLY = {"RUN_RELAY": "false", "RUN_CONSUMERS": "false"}


def traced(endpoint: str) -> dict[str, str]:
    return {
        "OTEL_SDK_DISABLED": "false",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_TRACES_SAMPLER": "always_on",
    }


UNTRACED = {"OTEL_SDK_DISABLED": "true"}
SAMPLED_OUT = "sampled out"
FIGURE_KEYS = {"tracing off": "tracing_off", "tracing on": "tracing_on", SAMPLED_OUT: "sampled_out"}


@dataclass(frozen=True)
class Pair:
    """A gateway and the projects-service it routes to, started for this scenario."""

    url: str
    pids: dict[str, tuple[int, ...]]


def start_pair(stack: LocalStack, running: ExitStack, name: str, otel: dict[str, str]) -> Pair:
    projects_port, gateway_port = free_port(), free_port()
    env = {**READS_ONLY, **otel}
    projects = running.enter_context(
        extra(
            stack,
            f"bench-{name}-projects",
            uvicorn("projects", projects_port),
            service="projects",
            **env,
        )
    )
    wait_ok(f"http://127.0.0.1:{projects_port}/health/ready", projects)
    gateway = running.enter_context(
        extra_gateway(
            stack,
            f"bench-{name}-gateway",
            gateway_port,
            f"http://127.0.0.1:{projects_port}",
            **otel,
        )
    )
    url = f"http://127.0.0.1:{gateway_port}"
    wait_ok(f"{url}/health", gateway, until='"projects": ["ok"]')
    pids: dict[str, tuple[int, ...]] = {
        label: (process.popen.pid,) if process.popen else ()
        for label, process in (("gateway", gateway), ("projects", projects))
    }
    return Pair(url, pids)


def scenario_9(ctx: Context) -> None:
    stack = ctx.target.stack
    if stack is None:
        ctx.report.notes.append("9 skipped: it starts traced processes beside a stack it started")
        return
    report, options = ctx.report, ctx.options
    request, path = bearer(ctx), tasks_path(ctx)
    runs: dict[str, list[Measured]] = {name: [] for name in FIGURE_KEYS}
    with OtlpReceiver(keep=False) as receiver:
        with ExitStack() as running:
            pairs = {
                "tracing off": start_pair(stack, running, "untraced", UNTRACED),
                "tracing on": start_pair(stack, running, "traced", traced(receiver.endpoint)),
                SAMPLED_OUT: start_pair(
                    stack,
                    running,
                    "sampled-out",
                    {**traced(receiver.endpoint), "OTEL_TRACES_SAMPLER": "always_off"},
                ),
            }
            warmup = {
                name: wrk.run(
                    pair.url + path, request, connections=CONNECTIONS, duration=options.warmup
                )
                for name, pair in pairs.items()
            }
            for _ in range(options.rounds):
                for name, pair in pairs.items():
                    runs[name].append(
                        measured_run(
                            ctx.target,
                            pair.url + path,
                            request,
                            connections=CONNECTIONS,
                            duration=options.duration,
                            cpu=pair.pids,
                        )
                    )
        # the traced processes have stopped: their last spans were flushed on the way out
        traced_requests = warmup["tracing on"].requests + sum(
            run.result.requests for run in runs["tracing on"]
        )
        spans = receiver.received
    best = {name: max(measured, key=lambda run: run.result.rps) for name, measured in runs.items()}
    for name, run in best.items():
        note = run.note() + f"; best of {len(runs[name])}"
        row = report.add_wrk(SCENARIO, f"{name} via gateway c{CONNECTIONS}", run.result, note)
        rounds = ", ".join(f"{r.result.rps:.0f}" for r in runs[name])
        print(f"  {row.variant:<30} {row.rps:8.0f} req/s  p50 {row.p50_ms:.2f} ms ({rounds})")
        key = FIGURE_KEYS[name]
        for process, us in run.cpu_us.items():
            report.figure(
                f"s9.{process}_cpu_us_{key}",
                f"9 {process} CPU per request, {name}, c{CONNECTIONS}",
                us,
                "µs",
            )
    report.figure(
        "s9.tracing_on_over_off",
        f"9 read c{CONNECTIONS} via gateway: tracing on / off",
        ratio(best["tracing on"].result.rps, best["tracing off"].result.rps),
        "x",
    )
    report.figure(
        "s9.sampled_out_over_off",
        f"9 read c{CONNECTIONS} via gateway: traced but sampled out (always_off) / off",
        ratio(best[SAMPLED_OUT].result.rps, best["tracing off"].result.rps),
        "x",
    )
    report.figure(
        "s9.spans_per_traced_request",
        "9 spans received per traced request",
        spans / traced_requests if traced_requests else None,
        "",
    )
    print(f"  {spans:,} spans received for {traced_requests:,} traced requests")
