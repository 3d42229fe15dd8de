"""Each request's duration by route template (``http_server_request_duration_seconds``) and,
when tracing is on, its server span: continuing the caller's ``traceparent`` (the gateway's),
so that its database calls and the outbox rows it writes are part of the caller's trace."""

from __future__ import annotations

import time
from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.telemetry.current_span import CurrentSpan
from chassis.telemetry.telemetry import Telemetry
from chassis.telemetry.trace_context import context_from

UNMATCHED = "unmatched"  # a path no route matched: one label, whatever the client sent
UNTRACED = frozenset({"/health", "/health/ready", "/metrics"})  # probes and scrapes
TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})  # ASGI names them in lower case


class RequestTelemetryMiddleware:
    """Outermost: it sees the final status, also of the answers the error handlers give."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        telemetry = _telemetry(scope)
        if scope["type"] != "http" or telemetry is None:
            await self.app(scope, receive, send)
            return
        status = 500  # if the app fails before answering

        async def send_seeing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        method = scope["method"]
        started = time.perf_counter()
        try:
            if telemetry.tracer is None or scope["path"] in UNTRACED:
                await self.app(scope, receive, send_seeing_status)
            else:
                await self._traced(telemetry, scope, receive, send_seeing_status, lambda: status)
        finally:
            telemetry.request_duration.labels(method, _route(scope), str(status)).observe(
                time.perf_counter() - started
            )

    async def _traced(
        self, telemetry: Telemetry, scope: Scope, receive: Receive, send: Send, status: Any
    ) -> None:
        assert telemetry.tracer is not None
        # Only the two W3C fields are decoded, not every header of every request.
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope["headers"]
            if k in TRACE_HEADERS
        }
        method = scope["method"]
        span = telemetry.tracer.start_span(
            method,
            context=context_from(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        )
        with CurrentSpan(span):
            try:
                await self.app(scope, receive, send)
            finally:
                route = _route(scope)
                span.update_name(f"{method} {route}")
                span.set_attributes({"http.route": route, "http.response.status_code": status()})
                if status() >= 500:
                    span.set_status(Status(StatusCode.ERROR))


def _telemetry(scope: Scope) -> Telemetry | None:
    # The platform (and its telemetry) is built at start-up, after the middleware.
    platform = getattr(scope["app"].state, "platform", None) if "app" in scope else None
    return getattr(platform, "telemetry", None)


def _route(scope: Scope) -> str:
    route = scope.get("route")  # FastAPI puts the matched route in the scope
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED
