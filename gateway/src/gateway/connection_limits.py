"""Bounds on the connections clients may hold open: in all, and per client address. A
connection over a bound gets a short problem+json answer and is closed at once, before any
of its bytes are parsed."""

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus

from gateway.problems import PROBLEM_JSON, TYPE_PREFIX
from gateway.security_headers import API_POLICY, SERVER

# How long a refused connection may linger to read the request it already sent, so the
# client reads the answer instead of a reset.
REFUSAL_LINGER_SECONDS = 1.0


class ConnectionLimits:
    """Counts open connections in all and per client address."""

    def __init__(self, *, total: int, per_client: int) -> None:
        self._total = total
        self._per_client = per_client
        self.open = 0
        self._by_client: Counter[str] = Counter()

    def admit(self, client: str) -> HTTPStatus | None:
        """None if the connection may stay (and is then counted), else why not."""
        if self.open >= self._total:
            return HTTPStatus.SERVICE_UNAVAILABLE
        if self._by_client[client] >= self._per_client:
            return HTTPStatus.TOO_MANY_REQUESTS
        self.open += 1
        self._by_client[client] += 1
        return None

    def release(self, client: str) -> None:
        self.open -= 1
        self._by_client[client] -= 1
        if self._by_client[client] <= 0:
            del self._by_client[client]


def refusal(status: HTTPStatus) -> bytes:
    """A complete HTTP/1.1 answer, written before the request was read."""
    detail = (
        "Too many open connections from your address."
        if status == HTTPStatus.TOO_MANY_REQUESTS
        else "The gateway holds as many connections as it may; try again shortly."
    )
    slug = "too-many-connections" if status == HTTPStatus.TOO_MANY_REQUESTS else "at-capacity"
    body = json.dumps(
        {"type": TYPE_PREFIX + slug, "title": status.phrase, "status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Retry-After: 1\r\n"
        "Connection: close\r\n"
        f"Server: {SERVER}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "X-Frame-Options: DENY\r\n"
        f"Content-Security-Policy: {API_POLICY}\r\n"
        "\r\n"
    )
    return head.encode() + body


class GuardedConnection(asyncio.Protocol):
    """Wraps the HTTP protocol of one connection: admits it under ``limits`` (then passes
    every event through) or answers the refusal and closes it."""

    def __init__(self, limits: ConnectionLimits, protocol: Callable[[], asyncio.Protocol]) -> None:
        self._limits = limits
        self._protocol = protocol
        self._inner: asyncio.Protocol | None = None
        self._client = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self._client = str(peer[0]) if peer else ""
        refused = self._limits.admit(self._client)
        if refused is not None:
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(refusal(refused))
            if transport.can_write_eof():
                transport.write_eof()
            asyncio.get_running_loop().call_later(REFUSAL_LINGER_SECONDS, transport.close)
            return
        self._inner = self._protocol()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._inner is not None:
            self._limits.release(self._client)
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()
