"""The reverse proxy itself: one request in, the same request out to the service owning the
path, its response streamed back. No body is buffered whole in either direction."""

import asyncio
import logging

import aiohttp
from aiohttp import web
from yarl import URL

from gateway.body import BodyTooLargeError, RequestBody
from gateway.config import Route, Settings
from gateway.headers import downstream_headers, upstream_headers
from gateway.problems import problem
from gateway.request_id import REQUEST_ID
from gateway.routing import RouteTable, has_dot_segment

logger = logging.getLogger(__name__)

SESSION = web.AppKey("upstream_session", aiohttp.ClientSession)
# RFC 9110 safe methods: resending one cannot make a service act twice.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures where the service never got to answer (refused, reset, closed before a response).
CONNECTION_ERRORS = (
    aiohttp.ClientConnectorError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
    aiohttp.ClientConnectionResetError,
    aiohttp.ConnectionTimeoutError,
)


class Proxy:
    """Forwards requests by the route table; answers 404/413/502/504 problems itself."""

    def __init__(self, settings: Settings) -> None:
        self._routes = RouteTable(settings.route_list)
        self._max_body = settings.max_body_bytes
        self._retries = settings.retries
        self._backoff = settings.retry_backoff_seconds

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path
        path = raw_path.partition("?")[0]
        route = self._routes.match(path)
        if route is None:
            return problem(404, "No service serves this path.", slug="no-route")
        if has_dot_segment(path):
            return problem(400, "Paths with '.' or '..' segments are refused.", slug="bad-path")
        declared = request.content_length
        if declared is not None and declared > self._max_body:
            return self._too_large()

        request_id = request[REQUEST_ID]
        body = RequestBody(request.content, self._max_body) if request.body_exists else None
        try:
            upstream = await self._send(request, route, raw_path, body, request_id)
        except (aiohttp.ClientError, TimeoutError, BodyTooLargeError) as error:
            return self._failure(route, error, body)
        try:
            return await self._relay(request, upstream, request_id)
        finally:
            upstream.release()

    async def _send(
        self,
        request: web.Request,
        route: Route,
        raw_path: str,
        body: RequestBody | None,
        request_id: str,
    ) -> aiohttp.ClientResponse:
        session = request.app[SESSION]
        url = URL(route.upstream.base_url + raw_path, encoded=True)
        headers = upstream_headers(
            request.headers, client_ip=request.remote, scheme=request.scheme, request_id=request_id
        )
        # A streamed body cannot be replayed, so only body-less safe requests are retried.
        tries = 1 + (self._retries if body is None and request.method in RETRYABLE_METHODS else 0)
        for attempt in range(tries):
            try:
                return await session.request(
                    request.method,
                    url,
                    headers=headers,
                    data=body.chunks() if body is not None else None,
                    allow_redirects=False,
                )
            except CONNECTION_ERRORS as error:
                if attempt + 1 == tries:
                    raise
                logger.info(
                    "retrying %s on %s after %s", request.method, route.upstream.name, _why(error)
                )
                await asyncio.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    async def _relay(
        request: web.Request, upstream: aiohttp.ClientResponse, request_id: str
    ) -> web.StreamResponse:
        headers = downstream_headers(upstream.headers, request_id=request_id)
        if _small_and_complete(request, upstream):
            # Most API answers are small: one buffered write of status, headers and body costs
            # a fifth less CPU than streaming them (measured by make bench, scenario 1).
            try:
                body = await upstream.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                logger.warning("service failed mid-response (%s)", _why(error))
                return problem(502, "The service's answer broke off.", slug="upstream-broken")
            headers.popall("Content-Length", None)  # set again from the body
            return web.Response(
                status=upstream.status, reason=upstream.reason, headers=headers, body=body
            )
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        response.headers.extend(headers)
        try:
            await response.prepare(request)
        except ConnectionResetError:
            return response  # the client left before the answer started
        try:
            async for chunk in upstream.content.iter_any():
                try:
                    await response.write(chunk)
                except ConnectionResetError:
                    return response  # the client left; the upstream connection is dropped
        except (aiohttp.ClientError, TimeoutError) as error:
            # The status line is gone already: cut the connection so the client sees a
            # truncated body as an error instead of a complete-looking short one.
            logger.warning("service failed mid-response (%s); closing the client", _why(error))
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write_eof()
        return response

    def _failure(self, route: Route, error: Exception, body: RequestBody | None) -> web.Response:
        name = route.upstream.name
        if body is not None and (body.too_large or isinstance(error, BodyTooLargeError)):
            return self._too_large()
        if body is not None and body.client_failed:
            return problem(400, "The request body could not be read.", slug="incomplete-body")
        if isinstance(error, TimeoutError):
            logger.warning("%s timed out: %s", name, _why(error))
            return problem(
                504, f"The {name} service did not answer in time.", slug="upstream-timeout"
            )
        if isinstance(error, aiohttp.ClientError):
            logger.warning("%s unreachable: %s", name, _why(error))
            return problem(502, f"The {name} service is unavailable.", slug="upstream-unavailable")
        raise error

    def _too_large(self) -> web.Response:
        return problem(
            413,
            f"The request body is larger than the limit of {self._max_body} bytes.",
            slug="body-too-large",
        )


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


SMALL_BODY_BYTES = 64 * 1024


def _small_and_complete(request: web.Request, upstream: aiohttp.ClientResponse) -> bool:
    """A body of known, small length that a client expects (not HEAD, 204 or 304)."""
    length = upstream.content_length
    return (
        length is not None
        and length <= SMALL_BODY_BYTES
        and request.method != "HEAD"
        and upstream.status not in (204, 304)
    )
