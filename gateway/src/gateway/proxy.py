"""The reverse proxy itself: one request in, the same request out to a replica of the
service owning the path, its response streamed back. Small declared bodies are read whole
first; nothing else is buffered whole in either direction."""

import asyncio
import logging

import aiohttp
from aiohttp import web
from yarl import URL

from chassis import current_trace_context
from chassis.http.client_address import believed_address, trusted_networks
from gateway.body import BodyStalledError, BodyTooLargeError, RequestBody
from gateway.config import Route, Settings
from gateway.headers import downstream_headers, upstream_headers
from gateway.problems import problem
from gateway.replicas import ReplicaSet
from gateway.request_id import REQUEST_ID
from gateway.routing import RouteTable, has_dot_segment

logger = logging.getLogger(__name__)

SESSIONS: web.AppKey[dict[str, aiohttp.ClientSession]] = web.AppKey("upstream_sessions")
# RFC 9110 9.2.2: sending one of these twice has the effect of sending it once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# The services answer a repeated POST with the same key with the first answer (DESIGN.md).
IDEMPOTENCY_KEY = "Idempotency-Key"
# No connection was made: nothing was sent, so any request may go to another replica.
NOT_CONNECTED = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# The connection broke before a response: the service may have acted on the request.
LOST_BEFORE_ANSWER = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
    aiohttp.ClientConnectionResetError,
)


class Proxy:
    """Forwards requests by the route table, balanced over each service's replicas; answers
    404/408/413/502/504 problems itself."""

    def __init__(self, settings: Settings, replicas: dict[str, ReplicaSet]) -> None:
        self._routes = RouteTable(settings.route_list)
        self._replicas = replicas
        self._max_body = settings.max_body_bytes
        self._buffer_body = settings.buffer_body_bytes
        self._body_timeout = settings.body_timeout_seconds
        self._retries = settings.retries
        self._backoff = settings.retry_backoff_seconds
        self._public_origin = settings.public_origin
        self._trusted_proxies = trusted_networks(settings.trusted_proxies)

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

        body: RequestBody | None = None
        whole: bytes | None = None
        if request.body_exists:
            body = RequestBody(request.content, self._max_body, stall_timeout=self._body_timeout)
            if declared is not None and declared <= self._buffer_body:
                try:
                    whole = await body.read_whole()
                except Exception as error:  # noqa: BLE001 - the body's flags say why
                    return self._body_failure(body, error)
        try:
            upstream, replica = await self._send(request, route, raw_path, body, whole)
        except (aiohttp.ClientError, TimeoutError, BodyTooLargeError, BodyStalledError) as error:
            return self._failure(route, error, body)
        try:
            return await self._relay(request, upstream, replica)
        finally:
            upstream.release()

    async def _send(
        self,
        request: web.Request,
        route: Route,
        raw_path: str,
        body: RequestBody | None,
        whole: bytes | None,
    ) -> tuple[aiohttp.ClientResponse, str]:
        name = route.upstream.name
        session = request.app[SESSIONS][name]
        replicas = self._replicas[name]
        request_id = request[REQUEST_ID]
        headers = upstream_headers(
            request.headers,
            client_ip=believed_address(
                request.remote or "",
                # every line of it: a proxy may add its own line rather than extend the first
                ", ".join(request.headers.getall("X-Forwarded-For", ())),
                self._trusted_proxies,
            ),
            scheme=request.scheme,
            request_id=request_id,
            public_origin=self._public_origin,
        )
        # The gateway's span is the services' parent (when tracing; else the client's goes on).
        headers.update(current_trace_context() or {})
        method = request.method
        may_resend = (body is None or whole is not None) and (
            method in IDEMPOTENT_METHODS or (method == "POST" and IDEMPOTENCY_KEY in headers)
        )
        order = replicas.order()
        not_connected = 0
        resent_after_loss = False
        streamed = body if whole is None else None
        # At most 1 + retries attempts that could not connect, and one resend after a loss.
        for attempt in range(self._retries + 2):
            replica = order[attempt % len(order)]
            if attempt >= len(order):
                # Every replica was tried once already: give the service a moment.
                await asyncio.sleep(self._backoff * 2 ** (attempt - len(order)))
            try:
                response = await session.request(
                    method,
                    URL(replica + raw_path, encoded=True),
                    headers=headers,
                    data=streamed.chunks() if streamed is not None else whole,
                    allow_redirects=False,
                )
            except NOT_CONNECTED as error:
                replicas.refused(replica)
                not_connected += 1
                started = streamed is not None and streamed.received > 0
                if not_connected > self._retries or started:
                    raise
                logger.info(
                    "%s: %s not connected (%s); next id=%s",
                    name,
                    replica,
                    _why(error),
                    request_id,
                    extra={"request_id": request_id},
                )
                continue
            except LOST_BEFORE_ANSWER as error:
                if resent_after_loss or not may_resend:
                    raise
                resent_after_loss = True
                # The id says which answer came from a resend: a resent DELETE that the lost
                # attempt had already carried out is answered 404.
                logger.info(
                    "%s: %s lost %s (%s); resending id=%s",
                    name,
                    replica,
                    method,
                    _why(error),
                    request_id,
                    extra={"request_id": request_id},
                )
                continue
            replicas.answered(replica)
            return response, replica
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    async def _relay(
        request: web.Request, upstream: aiohttp.ClientResponse, replica: str
    ) -> web.StreamResponse:
        headers = downstream_headers(
            upstream.headers, request_id=request[REQUEST_ID], replica=replica
        )
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

    def _body_failure(self, body: RequestBody, error: Exception) -> web.Response:
        if body.too_large:
            return self._too_large()
        if body.stalled:
            # The client may still be sending: answer, then close rather than wait for it.
            response = problem(
                408,
                f"The request body stalled for more than {self._body_timeout:g} seconds.",
                slug="body-timeout",
            )
            response.force_close()
            return response
        if body.client_failed:
            return problem(400, "The request body could not be read.", slug="incomplete-body")
        raise error

    def _failure(self, route: Route, error: Exception, body: RequestBody | None) -> web.Response:
        name = route.upstream.name
        if body is not None and (body.too_large or body.stalled or body.client_failed):
            return self._body_failure(body, error)
        if isinstance(error, BodyTooLargeError):
            return self._too_large()
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
