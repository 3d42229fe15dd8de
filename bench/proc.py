"""CPU time of processes from /proc: what a server spent on the requests of one run."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (its threads included), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / TICKS


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def family(pid: int) -> list[int]:
    """``pid`` and its direct children (nginx: the master and its worker)."""
    return [pid, *children(pid)]


class CpuMeter:
    """``meter = CpuMeter(pids)``; run the load; ``meter.used()`` is the CPU seconds since."""

    def __init__(self, pids: Iterable[int]) -> None:
        self.pids = tuple(pids)
        self._start = self._total()

    def _total(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def used(self) -> float:
        return self._total() - self._start


def per_request_us(cpu_s: float, requests: int) -> float | None:
    return cpu_s / requests * 1e6 if requests else None
