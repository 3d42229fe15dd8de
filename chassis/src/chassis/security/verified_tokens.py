"""Tokens already verified, remembered until they expire."""

import time
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """What a verified token says: whose it is, when it was issued (epoch seconds) and which
    key signed it."""

    user_id: UUID
    issued_at: float
    kid: str


class VerifiedTokens:
    """A bounded LRU of token -> what it says. Checking an EdDSA signature costs more CPU than
    the rest of a typical read; a client sends the same token on every request until it expires.
    Keyed by the whole token, so any altered token misses and is verified in full."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[VerifiedToken, float]] = OrderedDict()

    def get(self, token: str) -> VerifiedToken | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        verified, expires_at = entry
        if expires_at <= time.time():
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return verified

    def remember(self, token: str, verified: VerifiedToken, expires_at: float) -> None:
        self._entries[token] = (verified, expires_at)
        self._entries.move_to_end(token)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
