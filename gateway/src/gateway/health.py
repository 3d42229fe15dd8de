"""GET /health: the whole system is ready only when every service says it is ready."""

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from gateway.config import Settings, Upstream


class HealthCheck:
    """Asks each service's /health/ready in parallel; 200 only when all answer 200, else 503
    with the body naming each part that is down (a service, or a dependency it reported)."""

    def __init__(self, settings: Settings, *, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._upstreams = list(settings.services.values())
        self._timeout = aiohttp.ClientTimeout(total=settings.health_timeout_seconds)
        self._session = session

    async def handle(self, _: web.Request) -> web.Response:
        results = await asyncio.gather(*(self._check(upstream) for upstream in self._upstreams))
        checks: dict[str, Any] = {"gateway": "ok"}
        down: list[str] = []
        for upstream, (ready, report) in zip(self._upstreams, results, strict=True):
            checks[upstream.name] = report
            if not ready:
                down += _down_parts(upstream.name, report)
        return web.json_response(
            {"status": "down" if down else "ok", "checks": checks, "down": down},
            status=503 if down else 200,
            headers={"Cache-Control": "no-store"},
        )

    async def _check(self, upstream: Upstream) -> tuple[bool, dict[str, Any]]:
        url = f"{upstream.base_url}/health/ready"
        try:
            async with self._session().get(url, timeout=self._timeout) as response:
                try:
                    body: Any = await response.json(content_type=None)
                except ValueError:
                    body = None
                ready = response.status == 200
        except TimeoutError:
            return False, {"status": "down", "error": "no answer in time"}
        except aiohttp.ClientError as error:
            return False, {"status": "down", "error": f"unreachable ({type(error).__name__})"}
        report = body if isinstance(body, dict) else {}
        report.setdefault("status", "ok" if ready else "down")
        if not ready:
            report.setdefault("error", f"HTTP {response.status}")
        return ready, report


def _down_parts(service: str, report: dict[str, Any]) -> list[str]:
    """`projects.database` when the service named the failing dependency, else `projects`."""
    checks = report.get("checks")
    if isinstance(checks, dict):
        failing = [f"{service}.{name}" for name, value in checks.items() if value != "ok"]
        if failing:
            return failing
    return [service]
