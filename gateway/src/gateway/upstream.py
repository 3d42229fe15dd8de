"""The HTTP clients the gateway uses towards the services: one pooled session per service,
so each has its own connection budget (uploads stuck on one never take the other's slots),
and a small one of its own for health checks and documents, which traffic cannot starve."""

import aiohttp

from gateway.config import Settings

# Never add headers the client did not send (aiohttp would add these by default).
SKIPPED_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
MONITORING_POOL_SIZE = 16


def create_session(settings: Settings, *, pool_size: int) -> aiohttp.ClientSession:
    """A pooled keep-alive session that stores no cookies (it is shared by every user), leaves
    bodies compressed as the service sent them and follows no redirect on its own."""
    connector = aiohttp.TCPConnector(
        limit=pool_size,
        keepalive_timeout=settings.upstream_keepalive_seconds,
    )
    session = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        skip_auto_headers=SKIPPED_AUTO_HEADERS,
        timeout=aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.connect_timeout_seconds,
            sock_read=settings.read_timeout_seconds,
        ),
        trust_env=False,
    )
    # aiohttp silently resends PUT and DELETE when a reused connection drops; the gateway
    # decides itself what may be sent again, and to which replica.
    session._retry_connection = False
    return session


def create_sessions(settings: Settings) -> dict[str, aiohttp.ClientSession]:
    """One session per service, each with ``upstream_pool_size`` connections."""
    return {
        name: create_session(settings, pool_size=settings.upstream_pool_size)
        for name in settings.services
    }


def create_monitoring_session(settings: Settings) -> aiohttp.ClientSession:
    return create_session(settings, pool_size=MONITORING_POOL_SIZE)
