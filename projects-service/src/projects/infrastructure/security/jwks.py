"""accounts-service's public keys, fetched from its JWKS URL and cached by key id."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chassis import KeysUnavailableError

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"


class JwksFetcher(Protocol):
    """Fetches the JWKS document (``{"keys": [...]}``); raises on any failure."""

    async def fetch(self) -> Mapping[str, Any]: ...

    async def close(self) -> None: ...


class HttpJwksFetcher:
    """GET the JWKS URL with a short timeout; anything but a 200 with a JSON object fails."""

    def __init__(
        self, url: str, *, timeout: float = 3.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._url = url
        self._client = httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=False
        )

    async def fetch(self) -> Mapping[str, Any]:
        response = await self._client.get(self._url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("The JWKS document is not a JSON object.")
        return document

    async def close(self) -> None:
        await self._client.aclose()


class PublicKeySet:
    """Ed25519 keys by ``kid``. Refetched when older than ``max_age`` or when a token names an
    unknown ``kid``, but at most once per ``min_refresh_interval`` so junk tokens cannot turn
    this service into a load generator against accounts. A failed refresh keeps the old keys."""

    def __init__(
        self,
        fetcher: JwksFetcher,
        *,
        max_age: float = 300.0,
        min_refresh_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetcher = fetcher
        self._max_age = max_age
        self._min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        """The key named ``kid``, or None when accounts does not publish it."""
        # A lookup that needs a refresh while one is in flight waits for it (then finds the
        # keys, or the failure): answering "unavailable" before the first fetch has finished
        # would fail every request that reaches a fresh replica at the same time as the first.
        if self._needs_refresh(kid) and (self._may_refresh() or self._lock.locked()):
            async with self._lock:
                # Whoever held the lock may have refreshed already.
                if self._needs_refresh(kid) and self._may_refresh():
                    await self._refresh()
        if self._fetched_at is None:
            raise KeysUnavailableError("The public keys of accounts-service are not available.")
        return self._keys.get(kid)

    def knows(self, kid: str) -> bool:
        """Whether the keys as last fetched hold ``kid`` (never fetches: a retired key drops
        out at the next fetch, by age or for an unknown ``kid``)."""
        return kid in self._keys

    def _needs_refresh(self, kid: str) -> bool:
        return (
            self._fetched_at is None
            or kid not in self._keys
            or self._clock() - self._fetched_at >= self._max_age
        )

    def _may_refresh(self) -> bool:
        return (
            self._attempted_at is None
            or self._clock() - self._attempted_at >= self._min_refresh_interval
        )

    async def _refresh(self) -> None:
        self._attempted_at = self._clock()
        try:
            keys = parse_jwks(await self._fetcher.fetch())
        except Exception as error:  # noqa: BLE001 - any failure: keep serving with the old keys
            logger.warning(
                "Fetching the JWKS failed (%s); keeping %d cached keys.",
                type(error).__name__,
                len(self._keys),
            )
            return
        self._keys = keys
        self._fetched_at = self._clock()

    async def close(self) -> None:
        await self._fetcher.close()


def parse_jwks(document: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The usable signing keys of a JWKS; others (wrong type, private parts, junk) are skipped."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("The JWKS document has no 'keys' list.")
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        if not _is_ed25519_signing_key(entry):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm=ALGORITHM).key
        except (jwt.PyJWTError, ValueError, TypeError):
            logger.warning("Skipping an unreadable key %r in the JWKS.", entry.get("kid"))
            continue
        if isinstance(key, Ed25519PublicKey):
            keys[entry["kid"]] = key
    return keys


def _is_ed25519_signing_key(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("kid"), str)
        and entry.get("kty") == "OKP"
        and entry.get("crv") == "Ed25519"
        and entry.get("alg", ALGORITHM) == ALGORITHM
        and entry.get("use", "sig") == "sig"
        and "d" not in entry  # a private key has no business in a JWKS: never trust it
    )
