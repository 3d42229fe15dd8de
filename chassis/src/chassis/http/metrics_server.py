"""``/metrics``, ``/health`` and ``/health/ready`` for a process without an HTTP API
(``<service>-worker``): the same endpoints the services mount on their own port, served on a port
of its own by uvicorn inside the process's event loop, so the gauges that need a query are
refreshed on that loop as in the services, and readiness asks the worker's own consumers and
relay (the probes of a worker pod ask these)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI

from chassis.http import health, metrics_endpoint
from chassis.platform import Platform


def metrics_app(platform: Platform) -> FastAPI:
    """An application serving ``GET /metrics``, ``/health`` (liveness) and ``/health/ready``
    (database, broker, every consumer and the relay of ``platform``), nothing else."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.platform = platform
    app.include_router(metrics_endpoint.router)
    app.include_router(health.router)
    return app


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The worker handles SIGINT and SIGTERM itself and stops this server on its way out.
        yield


@contextlib.asynccontextmanager
async def metrics_serving(platform: Platform, host: str, port: int) -> AsyncIterator[str]:
    """Serves ``/metrics`` and the health endpoints on ``host:port`` (port 0: any free port)
    until the block ends; yields its URL. The port is bound before this yields, so a port in
    use fails the start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()  # connections wait in the backlog until uvicorn accepts them
    except OSError:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    server = _Server(
        uvicorn.Config(metrics_app(platform), log_config=None, access_log=False, lifespan="off")
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        url_host = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()
