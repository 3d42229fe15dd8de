"""GET /health: a summary of the whole system, kept fresh in the background so a request
never fans out to the services, and naming no internals: each part is "ok" or "degraded".
The reasons (addresses, errors) go to the log, never into the public answer."""

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from gateway.config import Settings, Upstream

logger = logging.getLogger(__name__)

OK, DEGRADED = "ok", "degraded"
# Only plain names a service reports for its dependencies ("database", "broker") are shown.
_PART_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class ReplicaReport:
    """One replica's readiness, and its dependencies' as it reported them."""

    ready: bool
    parts: dict[str, bool] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    status: int
    body: dict[str, Any]


def summarise(reports: dict[str, list[ReplicaReport]]) -> Summary:
    """200 while every service has a ready replica (the API can answer); the body says
    "degraded" for each part that is not ok on every replica."""
    parts: dict[str, str] = {"gateway": OK}
    replicas: dict[str, list[str]] = {}
    serving = True
    for service, service_reports in reports.items():
        states = [OK if report.ready else DEGRADED for report in service_reports]
        replicas[service] = states
        parts[service] = OK if all(r.ready for r in service_reports) else DEGRADED
        serving = serving and any(r.ready for r in service_reports)
        dependencies: dict[str, bool] = {}
        for report in service_reports:
            for name, ok in report.parts.items():
                dependencies[name] = dependencies.get(name, True) and ok
        for name, ok in sorted(dependencies.items()):
            parts[f"{service}.{name}"] = OK if ok else DEGRADED
    healthy = all(state == OK for state in parts.values())
    body = {"status": OK if healthy else DEGRADED, "parts": parts, "replicas": replicas}
    return Summary(200 if serving else 503, body)


class HealthMonitor:
    """Asks every replica's /health/ready every ``health_interval_seconds`` (all in
    parallel, each bounded by ``health_timeout_seconds``) and keeps the latest summary."""

    def __init__(self, settings: Settings, *, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._upstreams = list(settings.services.values())
        self._timeout = aiohttp.ClientTimeout(total=settings.health_timeout_seconds)
        self._interval = settings.health_interval_seconds
        self._session = session
        self._summary: Summary | None = None
        self._first = asyncio.Event()
        self._last_reasons: dict[str, str] = {}

    async def running(self, _: web.Application) -> AsyncIterator[None]:
        """For ``app.cleanup_ctx``: checks until the app stops."""
        task = asyncio.create_task(self._run())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def handle(self, _: web.Request) -> web.Response:
        await self._first.wait()
        assert self._summary is not None
        return web.json_response(
            self._summary.body, status=self._summary.status, headers={"Cache-Control": "no-store"}
        )

    async def refresh(self) -> None:
        reports = await asyncio.gather(
            *(self._services_reports(upstream) for upstream in self._upstreams)
        )
        self._summary = summarise(dict(reports))
        self._first.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:
                logger.exception("health check failed")
            await asyncio.sleep(self._interval)

    async def _services_reports(self, upstream: Upstream) -> tuple[str, list[ReplicaReport]]:
        reports = await asyncio.gather(*(self._check(url) for url in upstream.base_urls))
        for url, report in zip(upstream.base_urls, reports, strict=True):
            self._log_change(f"{upstream.name} at {url}", report)
        return upstream.name, list(reports)

    async def _check(self, base_url: str) -> ReplicaReport:
        try:
            async with self._session().get(
                f"{base_url}/health/ready", timeout=self._timeout
            ) as response:
                try:
                    body: Any = await response.json(content_type=None)
                except ValueError:
                    body = None
                ready = response.status == 200
        except TimeoutError:
            return ReplicaReport(False, reason="no answer in time")
        except aiohttp.ClientError as error:
            return ReplicaReport(False, reason=f"unreachable ({type(error).__name__})")
        checks = body.get("checks") if isinstance(body, dict) else None
        parts = {
            name: value == "ok"
            for name, value in (checks.items() if isinstance(checks, dict) else ())
            if isinstance(name, str) and _PART_NAME.fullmatch(name)
        }
        reason = "" if ready else f"HTTP {response.status}: {checks!r}"
        return ReplicaReport(ready, parts, reason)

    def _log_change(self, who: str, report: ReplicaReport) -> None:
        reason = report.reason if not report.ready else ""
        if self._last_reasons.get(who, "") != reason:
            if reason:
                logger.warning("%s is not ready: %s", who, reason)
            else:
                logger.info("%s is ready", who)
            self._last_reasons[who] = reason
