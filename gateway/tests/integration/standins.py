"""Small real HTTP servers on 127.0.0.1 that stand in for the services behind the gateway."""

import asyncio
import gzip
import hashlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from taskboard_testing import refused_port

BIG_RESPONSE_BYTES = 4 * 1024 * 1024
GZIPPED = gzip.compress(b"compressed by the service " * 100, mtime=0)


def pattern(size: int, seed: bytes = b"taskboard") -> bytes:
    """Deterministic bytes that are not all alike, so a reordered chunk would show."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


@dataclass
class Seen:
    """What a stand-in received: one entry per request."""

    method: str
    raw_path: str
    headers: list[tuple[str, str]]
    body: bytes | None = None

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)


@dataclass
class StandIn:
    """A stand-in service: records requests, answers by path."""

    name: str
    prefix: str
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    ready_status: int = 200
    ready_checks: dict[str, str] = field(default_factory=lambda: {"database": "ok"})
    openapi: dict[str, Any] = field(default_factory=dict)
    openapi_fetches: int = 0
    openapi_status: int = 200
    ready_checks_count: int = 0
    release_slow: asyncio.Event = field(default_factory=asyncio.Event)

    def clear(self) -> None:
        self.seen.clear()
        self.ready_checks_count = 0

    def app(self) -> web.Application:
        app = web.Application()
        p = self.prefix
        app.router.add_get("/health/ready", self._ready)
        app.router.add_get("/health", self._live)
        app.router.add_get("/openapi.json", self._openapi)
        app.router.add_post(f"{p}/echo", self._echo)
        # Like FastAPI: the whole body is read before the endpoint runs.
        app.router.add_post(p, self._echo)
        app.router.add_get(f"{p}/absolute-redirect", self._absolute_redirect)
        app.router.add_get(f"{p}/big", self._big)
        app.router.add_get(f"{p}/redirect", self._redirect)
        app.router.add_get(f"{p}/cookie", self._cookie)
        app.router.add_get(f"{p}/hop", self._hop)
        app.router.add_get(f"{p}/slow", self._slow)
        app.router.add_get(f"{p}/truncated", self._truncated)
        app.router.add_get(f"{p}/gzip", self._gzip)
        app.router.add_delete(f"{p}/gone", self._no_content)
        app.router.add_post(f"{p}/created", self._created)
        app.router.add_route("*", "/{tail:.*}", self._record)
        return app

    def _remember(self, request: web.Request, body: bytes | None = None) -> None:
        self.seen.append(
            Seen(request.method, request.raw_path, list(request.headers.items()), body)
        )

    async def _record(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.json_response({"service": self.name, "raw_path": request.raw_path})

    async def _echo(self, request: web.Request) -> web.Response:
        # Recorded first, the body only once it arrived whole: a cut-off upload leaves None.
        self._remember(request)
        body = await request.read()
        self.seen[-1].body = body
        return web.Response(body=body, content_type="application/octet-stream")

    async def _big(self, request: web.Request) -> web.StreamResponse:
        self._remember(request)
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        data = pattern(BIG_RESPONSE_BYTES)
        for start in range(0, len(data), 64 * 1024):
            await response.write(data[start : start + 64 * 1024])
        await response.write_eof()
        return response

    async def _redirect(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.Response(
            status=303,
            headers={
                "Location": "/api/users/elsewhere?from=redirect",
                "Set-Cookie": "flash=saved; Path=/; HttpOnly",
            },
        )

    async def _absolute_redirect(self, request: web.Request) -> web.Response:
        # Built from Host and X-Forwarded-Proto, as frameworks behind a proxy build them.
        self._remember(request)
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
        location = f"{scheme}://{request.host}{self.prefix}/elsewhere"
        return web.Response(status=307, headers={"Location": location})

    async def _cookie(self, request: web.Request) -> web.Response:
        self._remember(request)
        who = request.query.get("who", "anonymous")
        return web.Response(text="ok", headers={"Set-Cookie": f"sid={who}; Path=/"})

    async def _hop(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.Response(
            text="ok",
            headers={
                "Connection": "X-Secret-Hop",
                "X-Secret-Hop": "should not pass",
                "Keep-Alive": "timeout=5",
                "Proxy-Authenticate": "Basic",
                "Trailer": "X-Checksum",
                "X-End-To-End": "passes",
            },
        )

    async def _slow(self, request: web.Request) -> web.Response:
        self._remember(request)
        await self.release_slow.wait()
        return web.Response(text="late")

    async def _truncated(self, request: web.Request) -> web.StreamResponse:
        self._remember(request)
        declared = request.query.get("declared", "1000")
        response = web.StreamResponse(headers={"Content-Length": declared})
        await response.prepare(request)
        await response.write(b"x" * 10)
        assert request.transport is not None
        request.transport.close()
        return response

    async def _no_content(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.Response(status=204)

    async def _created(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.json_response(
            {"id": 1}, status=201, headers={"Location": f"{self.prefix}/1", "ETag": '"v1"'}
        )

    async def _gzip(self, request: web.Request) -> web.Response:
        self._remember(request)
        return web.Response(body=GZIPPED, headers={"Content-Encoding": "gzip"})

    async def _ready(self, _: web.Request) -> web.Response:
        self.ready_checks_count += 1
        ok = self.ready_status == 200
        return web.json_response(
            {"status": "ok" if ok else "down", "checks": self.ready_checks},
            status=self.ready_status,
        )

    async def _live(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _openapi(self, _: web.Request) -> web.Response:
        self.openapi_fetches += 1
        return web.json_response(self.openapi, status=self.openapi_status)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run ``app`` on an ephemeral port of 127.0.0.1; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def refused_address() -> AsyncIterator[str]:
    """An address where nothing listens: the port stays bound (not listening) so no one else
    takes it, and every connection attempt is refused."""
    with refused_port() as port:
        yield f"http://127.0.0.1:{port}"


@dataclass
class DroppingServer:
    """Reads a request, then hangs up without answering for the first ``drops`` API requests;
    answers 200 afterwards. Counts every API request it read."""

    drops: int
    requests: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                # Only API requests count: the gateway's health checks are simply answered.
                if b" /api/" in head.split(b"\r\n", 1)[0]:
                    self.requests += 1
                    if self.requests <= self.drops:
                        return
                body = b"" if head.startswith(b"HEAD ") else b"ok"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@asynccontextmanager
async def dropping_server(drops: int) -> AsyncIterator[tuple[str, DroppingServer]]:
    state = DroppingServer(drops)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and reads requests but never answers: a hung service."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read()  # until the client gives up and closes

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()


@asynccontextmanager
async def revivable_address() -> AsyncIterator[tuple[str, Any]]:
    """An address that refuses connections until ``revive(app)`` starts ``app`` on it; the
    port stays bound throughout, so no one else takes it."""
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    runners: list[web.AppRunner] = []

    async def revive(app: web.Application) -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, held).start()
        runners.append(runner)

    try:
        yield f"http://127.0.0.1:{held.getsockname()[1]}", revive
    finally:
        for runner in runners:
            await runner.cleanup()
        held.close()
