"""One readable line per request, with its request id, for interleaved local logs."""

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from gateway.request_id import REQUEST_ID
from gateway.telemetry import TRACE_IDS


class AccessLogger(AbstractAccessLogger):
    """`GET /api/projects 200 3.1ms 127.0.0.1 id=...`"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        # Written after the request's span ended: its ids go with the line (JSON logs).
        trace_id, span_id = request.get(TRACE_IDS, (None, None))
        self.logger.info(
            "%s %s %s %.1fms %s id=%s",
            request.method,
            request.raw_path,
            response.status,
            time * 1000,
            request.remote,
            request.get(REQUEST_ID, "-"),
            extra={
                "request_id": request.get(REQUEST_ID),
                "trace_id": trace_id,
                "span_id": span_id,
            },
        )
