"""What every scenario gets: the stack, the seeded data, the run's settings and the report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bench.report import Report
from bench.seed import Seed
from bench.target import Target


def _env(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Options:
    """Knobs, each from a ``BENCH_*`` variable; the defaults keep ``make bench`` to minutes."""

    duration: float = 5.0  # seconds of each wrk run
    warmup: float = 2.0
    rounds: int = 2  # scenario 1: interleaved rounds, the best one kept
    samples: int = 200  # event propagation samples
    outbox_rows: int = 20_000
    backlog: int = 2_000  # UserAccountCreated messages per consumer measurement
    in_flight: int = 256  # raw confirmed publishes in flight
    storm_connections: int = 8  # concurrent logins in the storm
    only: str = ""  # comma-separated scenario numbers to run ("1,6"); empty runs them all

    @classmethod
    def from_env(cls) -> Options:
        defaults = cls()
        return cls(
            duration=_env("BENCH_DURATION", defaults.duration),
            warmup=_env("BENCH_WARMUP", defaults.warmup),
            rounds=max(1, int(_env("BENCH_ROUNDS", defaults.rounds))),
            samples=int(_env("BENCH_SAMPLES", defaults.samples)),
            outbox_rows=int(_env("BENCH_OUTBOX_ROWS", defaults.outbox_rows)),
            backlog=int(_env("BENCH_BACKLOG", defaults.backlog)),
            in_flight=int(_env("BENCH_IN_FLIGHT", defaults.in_flight)),
            storm_connections=int(_env("BENCH_STORM_CONNECTIONS", defaults.storm_connections)),
            only=os.environ.get("BENCH_ONLY", "").replace(" ", ""),
        )

    def runs(self, number: str) -> bool:
        return not self.only or number in self.only.split(",")


@dataclass
class Context:
    target: Target
    seed: Seed
    options: Options
    report: Report
    environment: dict[str, Any] = field(default_factory=dict)  # server versions met on the way
