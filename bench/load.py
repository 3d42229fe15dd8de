"""How busy the machine was with work that is not this benchmark's, while it measured.

On a shared machine a test suite running beside the benchmark takes cores from the stack; the
figure says how many, on average: all CPU time the kernel counted (/proc/stat) less this process
and its children (wrk, nginx), the stack's processes, and the PostgreSQL and RabbitMQ servers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from bench.proc import TICKS, cpu_seconds

SERVER_COMMANDS = {"postgres", "beam.smp", "erl_child_setup", "epmd", "inet_gethost"}


def busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _servers() -> dict[int, float]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "comm").read_text().strip()
            if command in SERVER_COMMANDS:
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError):
            continue  # gone meanwhile
    return found


def _stack_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            continue
    return total


class OtherLoad:
    """``meter = OtherLoad(stack_pids)``; ...; ``meter.cores()``: other work's average cores."""

    def __init__(self, stack_pids: Iterable[int]) -> None:
        self._pids = tuple(stack_pids)
        self._wall = time.monotonic()
        self._busy = busy_seconds()
        self._own = _own_seconds()
        self._stack = _stack_seconds(self._pids)
        self._servers = _servers()

    def cores(self) -> float:
        wall = time.monotonic() - self._wall
        busy = busy_seconds() - self._busy
        own = _own_seconds() - self._own
        stack = _stack_seconds(self._pids) - self._stack
        servers_now = _servers()
        servers = sum(
            servers_now[pid] - before for pid, before in self._servers.items() if pid in servers_now
        )
        return max(0.0, busy - own - stack - servers) / wall if wall > 0 else 0.0
