"""Tokens already verified, remembered until they expire."""

import time
from collections import OrderedDict
from uuid import UUID


class VerifiedTokens:
    """A bounded LRU of token -> user id. Checking an EdDSA signature costs more CPU than the
    rest of a typical read; a client sends the same token on every request until it expires.
    Keyed by the whole token, so any altered token misses and is verified in full."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[UUID, float]] = OrderedDict()

    def get(self, token: str) -> UUID | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        user_id, expires_at = entry
        if expires_at <= time.time():
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return user_id

    def remember(self, token: str, user_id: UUID, expires_at: float) -> None:
        self._entries[token] = (user_id, expires_at)
        self._entries.move_to_end(token)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
