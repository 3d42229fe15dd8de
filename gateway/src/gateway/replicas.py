"""Which replica of a service gets the next request: round robin over those not cooling
down after a refused connection."""

import time
from collections.abc import Callable


class ReplicaSet:
    """The origins of one service's replicas. ``order()`` gives every replica, the next one
    in turn first and those cooling down last; ``refused()`` puts one aside for ``cooldown``
    seconds, after which it is tried again like any other."""

    def __init__(
        self,
        base_urls: tuple[str, ...],
        *,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not base_urls:
            raise ValueError("a service needs at least one replica")
        self.base_urls = base_urls
        self._cooldown = cooldown
        self._clock = clock
        self._next = 0
        self._resting_until: dict[str, float] = {}

    def order(self) -> list[str]:
        start = self._next
        self._next = (start + 1) % len(self.base_urls)
        rotated = self.base_urls[start:] + self.base_urls[:start]
        now = self._clock()
        ready = [url for url in rotated if self._resting_until.get(url, 0.0) <= now]
        # When every replica refused lately, still try them all: one may be back already.
        resting = sorted(
            (url for url in rotated if url not in ready), key=lambda u: self._resting_until[u]
        )
        return ready + resting

    def refused(self, base_url: str) -> None:
        self._resting_until[base_url] = self._clock() + self._cooldown

    def answered(self, base_url: str) -> None:
        self._resting_until.pop(base_url, None)

    def resting(self, base_url: str) -> bool:
        return self._resting_until.get(base_url, 0.0) > self._clock()
