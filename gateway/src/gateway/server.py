"""Serving the app: aiohttp's HTTP/1.1 protocol behind the connection limits, with the
gateway's timeouts, and aiohttp's own answers to malformed requests as problem+json."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from gateway import security_headers
from gateway.access_log import AccessLogger
from gateway.config import Settings
from gateway.connection_limits import ConnectionLimits, GuardedConnection
from gateway.problems import problem
from gateway.request_id import HEADER

logger = logging.getLogger(__name__)

# After an early answer (413, 408) the rest of the body is read and dropped for at most this
# long, so the client can read the answer; then the connection is closed.
LINGER_SECONDS = 2.0
SHUTDOWN_SECONDS = 10.0
CONNECTIONS: web.AppKey[ConnectionLimits] = web.AppKey("connection_limits")


class ProblemRequestHandler(RequestHandler):
    """aiohttp's HTTP protocol, answering what it refuses itself (a malformed request line,
    headers too long or too many, a broken chunked body) with problem+json like the rest."""

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            raise ConnectionError("an answer is already under way; cannot send another")
        if status >= 500:
            logger.error("error handling a request from %s", request.remote, exc_info=exc)
        else:
            logger.info("refused a malformed request from %s: %s", request.remote, message)
        response = problem(
            status,
            "The request is not valid HTTP/1.1." if status < 500 else None,
            slug="bad-request" if status == 400 else None,
        )
        security_headers.apply("", response.headers, docs_csp=security_headers.API_POLICY)
        response.headers[HEADER] = str(uuid4())
        response.force_close()
        return response


@asynccontextmanager
async def serving(app: web.Application, settings: Settings) -> AsyncIterator[str]:
    """Runs ``app`` on the configured host and port until the block ends; yields its URL."""
    access_log = logging.getLogger("gateway.access") if settings.access_log else None
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    assert runner.server is not None
    server, loop = runner.server, asyncio.get_running_loop()
    limits = app[CONNECTIONS]
    options: dict[str, Any] = {
        "keepalive_timeout": settings.idle_timeout_seconds,
        "lingering_time": LINGER_SECONDS,
        "access_log_class": AccessLogger,
        "access_log": access_log,
    }

    def connection() -> GuardedConnection:
        return GuardedConnection(
            limits, lambda: ProblemRequestHandler(server, loop=loop, **options)
        )

    listener = await loop.create_server(
        connection, settings.host, settings.port, reuse_port=settings.reuse_port or None
    )
    host, port = listener.sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        listener.close()
        await runner.cleanup()
