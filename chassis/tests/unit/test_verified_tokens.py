import time
from uuid import uuid4

from chassis.security.verified_tokens import VerifiedToken, VerifiedTokens


def test_a_remembered_token_is_known_until_it_expires() -> None:
    cache, user = VerifiedTokens(), VerifiedToken(uuid4(), time.time(), "k1")
    cache.remember("fresh", user, time.time() + 60)
    cache.remember("stale", user, time.time() - 1)

    assert cache.get("fresh") == user
    assert cache.get("stale") is None
    assert cache.get("fresh-but-altered") is None


def test_the_least_recently_used_token_is_forgotten_first() -> None:
    cache, later = VerifiedTokens(size=2), time.time() + 60
    cache.remember("a", VerifiedToken(uuid4(), 0, "k1"), later)
    cache.remember("b", VerifiedToken(uuid4(), 0, "k1"), later)
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.remember("c", VerifiedToken(uuid4(), 0, "k1"), later)

    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
