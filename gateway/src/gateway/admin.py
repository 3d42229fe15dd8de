"""The gateway's internal port (``GATEWAY_ADMIN_PORT``, 8010): ``/metrics`` for Prometheus.
Never on the public port, so no client reads the gateway's metrics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chassis import Telemetry


def admin_app(telemetry: Telemetry) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=generate_latest(telemetry.registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


@asynccontextmanager
async def admin_serving(telemetry: Telemetry, host: str, port: int) -> AsyncIterator[str]:
    """Serves the admin app until the block ends; yields its URL."""
    runner = web.AppRunner(admin_app(telemetry), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    assert runner.addresses
    bound_host, bound_port = runner.addresses[0][:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()
