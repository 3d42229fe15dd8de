"""Scenario 7: the machine's own speed in the same run, so scenario 1 can be read as fractions of
it (absolute figures moved 2-3x between days on these machines; fractions of one run did not).
A bare FastAPI endpoint on one uvicorn worker with the services' flags, and nginx answering a
static 200 (the nginx of scenario 1's comparison, its ``/static`` location), at 1 and 32
connections each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench import nginx, wrk
from bench.context import Context
from bench.report import ratio
from bench.scenarios.reads import CONNECTIONS, SCENARIO_1
from taskboard_testing import free_port

REPO = Path(__file__).resolve().parents[2]
SCENARIO = "7 machine"


@contextmanager
def bare_fastapi() -> Iterator[str]:
    """The reference app on a free port; yields its URL."""
    port = free_port()
    argv = [
        str(Path(sys.executable).parent / "uvicorn"),
        "bench.reference_app:create_app",
        "--factory",
        "--port",
        str(port),
        "--no-proxy-headers",
        "--no-access-log",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own command
        argv, cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/ping", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the reference FastAPI app did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def scenario_7(ctx: Context) -> None:
    report, options = ctx.report, ctx.options
    plain = wrk.Request()
    with ExitStack() as running:
        fastapi_url = running.enter_context(bare_fastapi())
        ways = {"bare FastAPI": fastapi_url + "/ping"}
        if nginx.installed() and ctx.target.projects_url:
            proxy = running.enter_context(nginx.Nginx(ctx.target.projects_url))
            ways["nginx static 200"] = proxy.url + "/static"
        else:
            report.notes.append(
                "7: nginx is not installed (or no projects URL): no nginx reference"
            )
        for url in ways.values():
            wrk.run(url, plain, connections=32, duration=options.warmup)
        for name, url in ways.items():
            for connections in CONNECTIONS:
                result = wrk.run(url, plain, connections=connections, duration=options.duration)
                row = report.add_wrk(SCENARIO, f"{name} c{connections}", result)
                print(f"  {row.variant:<22} {row.rps:8.0f} req/s  p50 {row.p50_ms:.2f} ms")
    fractions(ctx)


def fractions(ctx: Context) -> None:
    """Scenario 1's req/s as fractions of the references, per connection count."""
    report = ctx.report
    rows = {(row.scenario, row.variant): row for row in report.rows}
    for connections in CONNECTIONS:
        for way in ("gateway", "direct", "nginx"):
            measured = rows.get((SCENARIO_1, f"{way} c{connections}"))
            for key, name in (("fastapi", "bare FastAPI"), ("nginx_static", "nginx static 200")):
                reference = rows.get((SCENARIO, f"{name} c{connections}"))
                report.figure(
                    f"s7.{way}_over_{key}_c{connections}",
                    f"1 {way} c{connections} / {name}",
                    ratio(measured.rps if measured else None, reference.rps if reference else None),
                    "x",
                )
