"""Drive HTTP load with wrk and read back what every response said.

A generated Lua preamble sets the request (method, headers, body); ``status.lua`` counts each
response by status code and prints one ``BENCH_RESULT {json}`` line that :func:`parse_output`
turns into a :class:`WrkResult`."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATUS_SCRIPT = Path(__file__).with_name("status.lua")
MARKER = "BENCH_RESULT "
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed no result."""


@dataclass(frozen=True)
class Request:
    """What every connection sends, over and over, pausing ``pause_ms`` between requests (a
    client that reads what it got before asking again; 0 keeps the connection saturated)."""

    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    pause_ms: int = 0


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)

    @property
    def failures(self) -> int:
        """Requests that got no answer at all (refused, reset, timed out)."""
        return sum(self.socket_errors.values())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["statuses"] = {str(k): v for k, v in sorted(self.statuses.items())}
        data["rps"] = round(self.rps, 1)
        data["non_2xx"] = self.non_2xx
        return data


def lua_string(text: str) -> str:
    """A Lua string literal for any text: everything but plain characters is escaped."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in " -_./:=&@+,;()[]{}"):
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def script(request: Request) -> str:
    lines = [f"wrk.method = {lua_string(request.method)}"]
    for name, value in request.headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if request.body is not None:
        lines.append(f"wrk.body = {lua_string(request.body)}")
    if request.pause_ms:
        # wrk times each request from its send, so the pause is not counted as latency.
        lines.append(f"function delay() return {int(request.pause_ms)} end")
    return "\n".join(lines) + "\n" + STATUS_SCRIPT.read_text()


def parse_output(stdout: str) -> WrkResult:
    """The result line of ``status.lua`` within wrk's output."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            latency = data["latency_us"]
            return WrkResult(
                requests=data["requests"],
                duration_s=data["duration_us"] / 1e6,
                statuses={int(k): v for k, v in data["statuses"].items()},
                socket_errors={k: v for k, v in data["errors"].items() if v},
                p50_ms=latency["p50"] / 1000,
                p90_ms=latency["p90"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
                mean_ms=latency["mean"] / 1000,
            )
    raise WrkError(f"wrk printed no {MARKER.strip()} line:\n{stdout}")


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise WrkError(f"refusing to load {url}: the benchmark only targets this machine")


class WrkRun:
    """One wrk process; start several side by side, then ``result()`` each."""

    def __init__(
        self,
        url: str,
        request: Request,
        *,
        connections: int,
        duration: float,
        threads: int | None = None,
        timeout: float = 10.0,
    ) -> None:
        check_loopback(url)
        executable = shutil.which("wrk")
        if executable is None:
            raise WrkError("wrk is not installed (Debian: apt-get install wrk)")
        self._dir = tempfile.TemporaryDirectory(prefix="bench-wrk-")
        lua = Path(self._dir.name) / "request.lua"
        lua.write_text(script(request))
        threads = threads or min(connections, 2)
        argv = [
            executable,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={timeout:g}s",
            "-s",
            str(lua),
            url,
        ]
        self._process = subprocess.Popen(  # noqa: S603 - wrk with our own arguments
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def result(self) -> WrkResult:
        try:
            stdout, stderr = self._process.communicate(timeout=600)
        finally:
            self._dir.cleanup()
        if self._process.returncode != 0:
            raise WrkError(f"wrk exited with {self._process.returncode}: {stderr}{stdout}")
        return parse_output(stdout)

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._dir.cleanup()


def run(
    url: str,
    request: Request,
    *,
    connections: int,
    duration: float,
    threads: int | None = None,
    timeout: float = 10.0,
) -> WrkResult:
    return WrkRun(
        url, request, connections=connections, duration=duration, threads=threads, timeout=timeout
    ).result()
