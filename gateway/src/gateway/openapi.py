"""GET /api/openapi.json: the services' documents fetched, cached for a while, and merged."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import aiohttp
from aiohttp import web

from gateway import paths
from gateway.config import Settings, Upstream
from gateway.openapi_merge import Document, ServiceDocument, merge
from gateway.routing import RouteTable

logger = logging.getLogger(__name__)

# After a failed fetch, wait this long before asking that service again, so page loads while
# it hangs do not each wait for the fetch timeout.
RETRY_AFTER_FAILURE_SECONDS = 5.0


@dataclass(slots=True)
class _Cached:
    document: Document
    fetched_at: float


class OpenApiCatalogue:
    """Keeps each service's document for ``ttl`` seconds; a service that is down is served
    from its last good copy (marked stale), or left out and named in the result."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: Callable[[], aiohttp.ClientSession],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upstreams = list(settings.services.values())
        self._routes = RouteTable(settings.route_list)
        self._ttl = settings.openapi_cache_seconds
        self._timeout = aiohttp.ClientTimeout(total=settings.openapi_timeout_seconds)
        self._session = session
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._failures: dict[str, tuple[float, str]] = {}
        # One refresh at a time: a burst of page loads costs the services one fetch each.
        self._lock = asyncio.Lock()

    async def document(self) -> Document:
        async with self._lock:
            sources = await asyncio.gather(*(self._source(u) for u in self._upstreams))
        return merge(list(sources), self._routes, version=_version(), asyncapi_url=paths.ASYNCAPI)

    async def handle(self, _: web.Request) -> web.Response:
        return web.json_response(await self.document())

    async def _source(self, upstream: Upstream) -> ServiceDocument:
        cached = self._cache.get(upstream.name)
        if cached is not None and self._clock() - cached.fetched_at < self._ttl:
            return ServiceDocument(upstream.name, cached.document, "ok")
        failure = self._failures.get(upstream.name)
        if failure is not None and self._clock() - failure[0] < RETRY_AFTER_FAILURE_SECONDS:
            return self._fallback(upstream, cached, failure[1])
        try:
            document = await self._fetch(upstream)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            reason = type(error).__name__
            logger.warning("OpenAPI of %s not available: %s: %s", upstream.name, reason, error)
            self._failures[upstream.name] = (self._clock(), reason)
            return self._fallback(upstream, cached, reason)
        self._failures.pop(upstream.name, None)
        self._cache[upstream.name] = _Cached(document, self._clock())
        return ServiceDocument(upstream.name, document, "ok")

    @staticmethod
    def _fallback(upstream: Upstream, cached: _Cached | None, reason: str) -> ServiceDocument:
        if cached is not None:
            return ServiceDocument(upstream.name, cached.document, f"stale: {reason}")
        return ServiceDocument(upstream.name, None, f"unavailable: {reason}")

    async def _fetch(self, upstream: Upstream) -> Document:
        """From the first replica that gives a document (they all run the same version)."""
        for base_url in upstream.base_urls[:-1]:
            try:
                return await self._fetch_from(base_url)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                logger.info("OpenAPI of %s at %s: %s; next replica", upstream.name, base_url, error)
        return await self._fetch_from(upstream.base_urls[-1])

    async def _fetch_from(self, base_url: str) -> Document:
        async with self._session().get(f"{base_url}/openapi.json", timeout=self._timeout) as r:
            if r.status != 200:
                raise ValueError(f"HTTP {r.status}")
            document: Any = await r.json(content_type=None)
        if not isinstance(document, dict) or "paths" not in document:
            raise ValueError("not an OpenAPI document")
        return document


def _version() -> str:
    return metadata.version("gateway")
