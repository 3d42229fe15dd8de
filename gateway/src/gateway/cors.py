"""CORS, decided at the edge only: off unless origins are configured; then an allowed origin
gets its preflight answered by the gateway and the CORS headers on every answer, and any
other origin gets none (its preflight is a 403 problem)."""

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.headers import FORWARDED_REQUEST_HEADERS
from gateway.problems import problem

METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
# Beyond the CORS-safelisted ones, what a browser's script may read: Location of what a POST
# created, and Idempotent-Replayed, which tells a retried POST's first answer from a new one.
EXPOSED = "Idempotent-Replayed, Location, Retry-After, WWW-Authenticate, X-Request-ID"
PREFLIGHT_MAX_AGE_SECONDS = 600


class Cors:
    """Installed only when ``origins`` is not empty."""

    def __init__(self, origins: tuple[str, ...]) -> None:
        self._origins = frozenset(origins)

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self.preflight)
        app.on_response_prepare.append(self.on_prepare)

    @web.middleware
    async def preflight(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        wanted = request.headers.get("Access-Control-Request-Method")
        if request.method != "OPTIONS" or origin is None or wanted is None:
            return await handler(request)
        if origin not in self._origins:
            return problem(403, "This origin may not call the API.", slug="cors-origin")
        asked = request.headers.get("Access-Control-Request-Headers", "").split(",")
        allowed = [n.strip() for n in asked if n.strip().lower() in FORWARDED_REQUEST_HEADERS]
        headers = {
            "Access-Control-Allow-Methods": METHODS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        }
        if allowed:
            headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
        return web.Response(status=204, headers=headers)

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get("Origin")
        response.headers.add("Vary", "Origin")
        if origin is not None and origin in self._origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
