"""accounts' signing keys over time: which one signs at an instant, which ones the JWKS publishes.

Every key has an activation instant. At time ``t``:

- the **active** key (the one that signs) is the newest key whose activation has passed;
- a key whose activation is still ahead is **next**: published already, so every verifier
  knows it before the first token it signs reaches them;
- an older key is **previous** while tokens it signed may still be alive: until its successor
  has been active for ``retire_after`` (the longest token lifetime plus clock skew); it is
  published, so those tokens keep working;
- after that it is **retired**: not published, and tokens naming it are refused.

Every replica computes the same answer from the same key files and its own clock, so they
agree on the signing key without talking to each other (to within their clocks' skew, which
``retire_after`` allows for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from accounts.infrastructure.security.signing_key import SigningKey

CLOCK_SKEW = timedelta(seconds=60)
"""How far apart the replicas' clocks may be: added to the token lifetime before a key retires."""

ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)
"""The activation of a key configured on its own (``JWT_PRIVATE_KEY_FILE``): active since ever."""


def retire_after(token_ttl_seconds: float) -> timedelta:
    """How long a replaced key stays published: its last token's lifetime, plus clock skew."""
    return timedelta(seconds=token_ttl_seconds) + CLOCK_SKEW


class KeyState(StrEnum):
    NEXT = "next"
    ACTIVE = "active"
    PREVIOUS = "previous"
    RETIRED = "retired"


class NoActiveKeyError(ValueError):
    """No key of the ring has reached its activation instant: nothing could sign a token."""


@dataclass(frozen=True)
class RingKey:
    key: SigningKey
    activates_at: datetime

    @property
    def kid(self) -> str:
        return self.key.kid


class KeyRing:
    """Keys ordered by activation (ties by ``kid``, so every replica orders them alike)."""

    def __init__(self, keys: list[RingKey], *, retire_after: timedelta) -> None:
        kids = [key.kid for key in keys]
        if len(set(kids)) != len(kids):
            raise ValueError("The same key appears twice in the key ring.")
        if any(key.activates_at.tzinfo is None for key in keys):
            raise ValueError("Activation instants must carry a time zone.")
        self.keys = tuple(sorted(keys, key=lambda key: (key.activates_at, key.kid)))
        self.retire_after = retire_after

    @classmethod
    def of_one(cls, key: SigningKey, *, retire_after: timedelta) -> KeyRing:
        return cls([RingKey(key, ALWAYS)], retire_after=retire_after)

    def state(self, key: RingKey, at: datetime) -> KeyState:
        if key.activates_at > at:
            return KeyState.NEXT
        successor = self._successor(key)
        if successor is None or successor.activates_at > at:
            return KeyState.ACTIVE
        if at < successor.activates_at + self.retire_after:
            return KeyState.PREVIOUS
        return KeyState.RETIRED

    def active(self, at: datetime) -> SigningKey:
        """The key that signs tokens issued at ``at``."""
        started = [key for key in self.keys if key.activates_at <= at]
        if not started:
            raise NoActiveKeyError(
                f"No signing key is active at {at.isoformat()}: every key's activation is later."
            )
        return started[-1].key

    def published(self, at: datetime) -> list[SigningKey]:
        """The keys a verifier must know at ``at``: every key not retired, oldest first."""
        return [key.key for key in self.keys if self.state(key, at) is not KeyState.RETIRED]

    def _successor(self, key: RingKey) -> RingKey | None:
        position = self.keys.index(key)
        return self.keys[position + 1] if position + 1 < len(self.keys) else None
