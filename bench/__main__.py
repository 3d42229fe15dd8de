"""Entry point: ``python -m bench run`` (make bench), ``python -m bench compare``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import machine, nginx, profile, report, results
from bench.context import Context, Options
from bench.load import OtherLoad
from bench.scenarios.logins import scenario_4
from bench.scenarios.propagation import scenario_5
from bench.scenarios.reads import scenario_1, scenario_3
from bench.scenarios.reference import scenario_7
from bench.scenarios.registrations import scenario_10
from bench.scenarios.relay import scenario_6
from bench.scenarios.replicas import scenario_8
from bench.scenarios.tracing import scenario_9
from bench.scenarios.writes import scenario_2
from bench.seed import seed
from bench.target import open_target
from bench.targets import judge

SCENARIOS: list[tuple[str, Callable[[Context], None]]] = [
    ("1 read: GET /api/projects/{id}/tasks (gateway, direct, nginx; c1 and c32)", scenario_1),
    ("7 machine reference: bare FastAPI on one uvicorn worker, nginx static 200", scenario_7),
    ("3 read: GET /api/users/me", scenario_3),
    ("2 write: POST /api/projects/{id}/tasks, 32 connections on one project", scenario_2),
    ("4 login storm beside scenario 1", scenario_4),
    ("5 event propagation", scenario_5),
    ("6 outbox relay vs raw confirmed publish", scenario_6),
    ("8 replicas: projects x2 via gateway, two relays, two consumers, each beside one", scenario_8),
    (
        "9 tracing: scenario 1's read via gateway, traced (always on), untraced, sampled out",
        scenario_9,
    ),
    ("10 registration storm: logins beside 200 registering clients", scenario_10),
]


def run() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: as root, apt-get install -y wrk nginx-light", file=sys.stderr)
        return 2
    if not nginx.installed():
        print("nginx is not installed: the nginx comparison is skipped", file=sys.stderr)
    options = Options.from_env()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = time.monotonic()
    measured = report.Report()
    environment: dict[str, Any] = {}
    with open_target() as target:
        print(f"stack up at {target.gateway_url} after {time.monotonic() - clock:.0f} s; seeding")
        logs_before = target.log_sizes()
        context = Context(target, asyncio.run(seed(target.gateway_url)), options, measured)
        whole_run = OtherLoad(target.pids.values())
        for title, scenario in SCENARIOS:
            number = title.split()[0]
            if not options.runs(number):
                continue
            print(f"== scenario {title}", flush=True)
            begun, other = time.monotonic(), OtherLoad(target.pids.values())
            try:
                scenario(context)
            except Exception as error:  # noqa: BLE001 - report it and go on with the others
                traceback.print_exc()
                measured.notes.append(f"scenario {number} failed: {error!r}")
            measured.figure(
                f"load.s{number}",
                f"other work on this machine during {number}",
                other.cores(),
                "cores",
            )
            print(f"   ({time.monotonic() - begun:.0f} s; other work {other.cores():.2f} cores)")
        measured.figure(
            "load.run", "other work on this machine, whole run", whole_run.cores(), "cores"
        )
        environment = context.environment
        environment["log_bytes"] = {
            name: size - logs_before.get(name, 0) for name, size in target.log_sizes().items()
        }
    measured.targets = judge(measured)
    facts = machine.facts()
    facts["servers"] = {name: environment.get(name) for name in ("postgresql", "rabbitmq")}
    facts["log_bytes_during_run"] = environment.get("log_bytes", {})
    document = {
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "elapsed_s": round(time.monotonic() - clock, 1),
        "options": vars(options),
        "machine": facts,
        **measured.as_dict(),
    }
    saved = results.save(document, complete=not options.only)
    print()
    print(report.render(measured))
    print(
        f"\nwhole run {document['elapsed_s']} s; saved {saved}"
        + ("" if options.only else f" and {saved.with_name('latest.json')}")
    )
    return 0


def committed_latest() -> dict[str, Any] | None:
    """``bench/results/latest.json`` as committed at HEAD (read-only git), if any."""
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run(  # noqa: S603 - a read-only git query
        [git, "show", "HEAD:bench/results/latest.json"],
        cwd=machine.REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def compare(paths: list[str]) -> int:
    if len(paths) == 2:
        before, after = (results.load(Path(p)) for p in paths)
    else:
        kept = results.history()
        if len(kept) >= 2:
            before, after = results.load(kept[-2]), results.load(kept[-1])
        elif kept and (baseline := committed_latest()) is not None:
            before, after = baseline, results.load(kept[-1])
        else:
            print("fewer than two runs to compare: run 'make bench' (twice), or name two files")
            return 1
    print(report.compare(before, after))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the stack (or use GATEWAY_URL) and run every scenario")
    commands.add_parser("profile", help="py-spy profiles of the services under load")
    compare_parser = commands.add_parser("compare", help="the last two runs side by side")
    compare_parser.add_argument("files", nargs="*", help="two result files (default: the last two)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run()
    if args.command == "profile":
        return profile.main()
    return compare(args.files)


if __name__ == "__main__":
    sys.exit(main())
