"""Which key signs at an instant, and which keys the JWKS publishes, through a whole rotation."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.infrastructure.security.key_ring import (
    KeyRing,
    KeyState,
    NoActiveKeyError,
    RingKey,
    retire_after,
)
from accounts.infrastructure.security.signing_key import SigningKey

T0 = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
KEEP = retire_after(900)  # 15-minute tokens
OLD, NEW = SigningKey.generate(), SigningKey.generate()


def rotation(activates_new_at: datetime = T0) -> KeyRing:
    return KeyRing(
        [RingKey(NEW, activates_new_at), RingKey(OLD, T0 - timedelta(days=30))],
        retire_after=KEEP,
    )


def kids(keys: list[SigningKey]) -> list[str]:
    return [key.kid for key in keys]


def test_retire_after_is_the_token_lifetime_plus_clock_skew() -> None:
    assert retire_after(900) == timedelta(minutes=16)


def test_before_its_activation_the_next_key_is_published_but_the_old_one_signs() -> None:
    ring = rotation()
    before = T0 - timedelta(seconds=1)
    assert ring.active(before) == OLD
    assert kids(ring.published(before)) == kids([OLD, NEW])
    assert [ring.state(key, before) for key in ring.keys] == [KeyState.ACTIVE, KeyState.NEXT]


def test_from_its_activation_the_new_key_signs_and_the_old_one_is_still_published() -> None:
    ring = rotation()
    for at in (T0, T0 + KEEP - timedelta(seconds=1)):
        assert ring.active(at) == NEW
        assert kids(ring.published(at)) == kids([OLD, NEW])
        assert [ring.state(key, at) for key in ring.keys] == [KeyState.PREVIOUS, KeyState.ACTIVE]


def test_once_its_last_token_has_expired_the_old_key_is_retired_and_unpublished() -> None:
    ring = rotation()
    at = T0 + KEEP
    assert ring.active(at) == NEW
    assert kids(ring.published(at)) == kids([NEW])
    assert ring.state(ring.keys[0], at) is KeyState.RETIRED


def test_a_key_that_never_signed_is_kept_until_its_successor_has_signed_long_enough() -> None:
    soon, later = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(
        [
            RingKey(OLD, T0 - timedelta(days=1)),
            RingKey(later, T0 + timedelta(hours=2)),
            RingKey(soon, T0 + timedelta(hours=1)),
        ],
        retire_after=KEEP,
    )
    assert ring.active(T0) == OLD
    assert ring.active(T0 + timedelta(hours=1)) == soon
    assert ring.active(T0 + timedelta(hours=2)) == later
    assert kids(ring.published(T0 + timedelta(hours=1) + KEEP)) == kids([soon, later])
    assert kids(ring.published(T0 + timedelta(hours=2) + KEEP)) == kids([later])


def test_a_ring_of_one_signs_with_its_key_at_any_instant_and_publishes_it() -> None:
    ring = KeyRing.of_one(OLD, retire_after=KEEP)
    for at in (datetime(1970, 1, 1, tzinfo=UTC), T0, T0 + timedelta(days=3650)):
        assert ring.active(at) == OLD
        assert kids(ring.published(at)) == kids([OLD])


def test_a_ring_whose_keys_all_activate_later_has_no_signing_key_yet() -> None:
    ring = KeyRing([RingKey(NEW, T0)], retire_after=KEEP)
    with pytest.raises(NoActiveKeyError):
        ring.active(T0 - timedelta(seconds=1))
    assert kids(ring.published(T0 - timedelta(seconds=1))) == kids([NEW])


def test_the_same_key_twice_or_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        KeyRing([RingKey(OLD, T0), RingKey(OLD, T0 + timedelta(hours=1))], retire_after=KEEP)
    with pytest.raises(ValueError, match="time zone"):
        KeyRing([RingKey(OLD, datetime(2026, 11, 30))], retire_after=KEEP)


def test_keys_activating_in_the_same_instant_are_ordered_alike_on_every_replica() -> None:
    first = KeyRing([RingKey(OLD, T0), RingKey(NEW, T0)], retire_after=KEEP)
    second = KeyRing([RingKey(NEW, T0), RingKey(OLD, T0)], retire_after=KEEP)
    assert first.active(T0) == second.active(T0)
