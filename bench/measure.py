"""One wrk run plus what the servers spent on it: CPU per request of named processes (from
/proc) and log bytes per request of the stack's log files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench import wrk
from bench.proc import CpuMeter, per_request_us
from bench.report import describe_statuses
from bench.target import Target


@dataclass(frozen=True)
class Measured:
    result: wrk.WrkResult
    cpu_us: dict[str, float | None]  # CPU per request, by process group
    log_bytes: dict[str, float]  # log bytes written per request, by log

    def note(self) -> str:
        parts = [describe_statuses(self.result)]
        parts += [f"{name} CPU {us:.0f} µs/req" for name, us in self.cpu_us.items() if us]
        if self.log_bytes:
            logged = ", ".join(f"{name} {size:.0f}" for name, size in self.log_bytes.items())
            parts.append(f"log B/req: {logged}")
        return "; ".join(part for part in parts if part)


def measured_run(
    target: Target,
    url: str,
    request: wrk.Request,
    *,
    connections: int,
    duration: float,
    cpu: Mapping[str, Sequence[int]],
) -> Measured:
    logs = target.log_sizes()
    meters = {name: CpuMeter(pids) for name, pids in cpu.items() if pids}
    result = wrk.run(url, request, connections=connections, duration=duration)
    cpu_us = {name: per_request_us(meter.used(), result.requests) for name, meter in meters.items()}
    written = {name: size - logs.get(name, 0) for name, size in target.log_sizes().items()}
    log_bytes = {
        name: size / result.requests for name, size in written.items() if size and result.requests
    }
    return Measured(result, cpu_us, log_bytes)
