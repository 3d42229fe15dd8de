"""The key ring a running accounts process uses: reloaded from its source at most once per
interval, so a key added, re-dated or deleted reaches every replica without a restart."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accounts.infrastructure.security.key_ring import KeyRing
from accounts.infrastructure.security.signing_key import SigningKey

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LiveKeyRing:
    """The signing key and the published keys as of now. The first load must succeed (the
    service does not start on a broken ring); a later load that fails, or that leaves no key
    active, keeps the last good ring and logs why, so a half-finished edit never stops signing.

    It is also the ``PublicKeys`` accounts verifies its own tokens with: the published keys,
    so a retired key's tokens are refused here as they are by projects."""

    def __init__(
        self,
        load: Callable[[], KeyRing],
        *,
        reload_interval: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._load = load
        self._interval = reload_interval
        self._clock = clock
        self._now = now
        self._ring = self._checked(load())
        self._loaded_at = clock()

    def signing_key(self) -> SigningKey:
        return self._current().active(self._now())

    def published(self) -> list[SigningKey]:
        return self._current().published(self._now())

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        return next((key.public_key for key in self.published() if key.kid == kid), None)

    def knows(self, kid: str) -> bool:
        return any(key.kid == kid for key in self.published())

    def _current(self) -> KeyRing:
        if self._clock() - self._loaded_at >= self._interval:
            self._loaded_at = self._clock()
            try:
                self._ring = self._checked(self._load())
            except Exception as error:  # noqa: BLE001 - any failure: keep signing with the last
                logger.warning("Reloading the signing keys failed (%s); keeping the last.", error)
        return self._ring

    def _checked(self, ring: KeyRing) -> KeyRing:
        ring.active(self._now())  # raises NoActiveKeyError
        return ring
