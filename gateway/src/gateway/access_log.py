"""One readable line per request, with its request id, for interleaved local logs."""

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from gateway.request_id import REQUEST_ID


class AccessLogger(AbstractAccessLogger):
    """`GET /api/projects 200 3.1ms 127.0.0.1 id=...`"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms %s id=%s",
            request.method,
            request.raw_path,
            response.status,
            time * 1000,
            request.remote,
            request.get(REQUEST_ID, "-"),
        )
