"""The one HTTP client the gateway shares for all requests to the services."""

import aiohttp

from gateway.config import Settings

# Never add headers the client did not send (aiohttp would add these by default).
SKIPPED_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


def create_session(settings: Settings) -> aiohttp.ClientSession:
    """A pooled keep-alive session that stores no cookies (it is shared by every user), leaves
    bodies compressed as the service sent them and follows no redirect on its own."""
    connector = aiohttp.TCPConnector(
        limit=settings.upstream_pool_size,
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
    # retries only GET/HEAD/OPTIONS itself, never a request the service may have acted on.
    session._retry_connection = False
    return session
