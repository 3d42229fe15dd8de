"""Each request's duration (``http_server_request_duration_seconds``) and, when tracing is on,
its server span: continuing the client's ``traceparent`` or starting a trace, and forwarded to
the service (the proxy sends the current span's context). The chassis's telemetry, so the
gateway's metric and spans look like the services'."""

import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from opentelemetry.trace import SpanKind, Status, StatusCode

from chassis import CurrentSpan, Telemetry, context_from
from gateway import paths
from gateway.routing import RouteTable

TELEMETRY = web.AppKey("telemetry", Telemetry)
TRACE_IDS = web.RequestKey("trace_ids", tuple)  # (trace id, span id) for the access log
UNMATCHED = "unmatched"
UNTRACED = frozenset({paths.HEALTH})  # probes


def telemetry_middleware(telemetry: Telemetry, routes: RouteTable) -> Middleware:
    """The route label is the gateway's own path or the prefix a request was routed by, never
    the rest of the path (ids), so the series stay few."""

    def route_of(request: web.Request) -> str:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else None
        if canonical is not None and canonical != "/{tail}":
            return canonical
        matched = routes.match(request.path)
        return matched.prefix if matched is not None else UNMATCHED

    @web.middleware
    async def measured(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            if telemetry.tracer is None or request.path in UNTRACED:
                response = await handler(request)
            else:
                response = await _traced(telemetry, request, handler, route_of)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            telemetry.request_duration.labels(
                request.method, route_of(request), str(status)
            ).observe(time.perf_counter() - started)

    return measured


async def _traced(
    telemetry: Telemetry,
    request: web.Request,
    handler: Handler,
    route_of: Callable[[web.Request], str],
) -> web.StreamResponse:
    assert telemetry.tracer is not None
    method = request.method
    route = route_of(request)
    span = telemetry.tracer.start_span(
        f"{method} {route}",
        context=context_from(request.headers),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": request.path, "http.route": route},
    )
    with CurrentSpan(span):
        context = span.get_span_context()
        request[TRACE_IDS] = (format(context.trace_id, "032x"), format(context.span_id, "016x"))
        response = await handler(request)
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_status(Status(StatusCode.ERROR))
        return response
