"""Around every request: its X-Request-ID, and problem+json for whatever goes wrong."""

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.problems import problem
from gateway.request_id import HEADER, REQUEST_ID, resolve

logger = logging.getLogger(__name__)


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = resolve(request.headers.get(HEADER))
    request[REQUEST_ID] = request_id
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            error.headers[HEADER] = request_id
            raise
        # aiohttp's own 404/405 from the router and the static files become problems too.
        kept = {name: error.headers[name] for name in ("Allow",) if name in error.headers}
        response = problem(error.status, headers=kept)
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        response = problem(500, "An unexpected error occurred; it has been logged.")
    if not response.prepared:
        response.headers[HEADER] = request_id
    return response
