"""Caching and refreshing accounts' public keys, with a hand-moved clock (no sleeping)."""

import asyncio
from typing import Any

import pytest

from chassis import KeysUnavailableError
from projects.infrastructure.security.jwks import PublicKeySet, parse_jwks
from tests.stand_in_accounts import StandInAccounts

from .fakes import FakeClock, FakeJwksFetcher


def key_set(fetcher: FakeJwksFetcher, clock: FakeClock) -> PublicKeySet:
    return PublicKeySet(fetcher, max_age=300, min_refresh_interval=10, clock=clock)


async def test_keys_are_fetched_once_and_served_from_the_cache() -> None:
    accounts = StandInAccounts()
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)

    first = await keys.key(accounts.kid)
    clock.advance(299)
    second = await keys.key(accounts.kid)

    assert first is not None
    assert second is first
    assert fetcher.fetches == 1


async def test_an_unknown_kid_triggers_a_refresh_that_finds_a_rotated_key() -> None:
    accounts = StandInAccounts()
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)
    await keys.key(accounts.kid)

    new_kid = accounts.rotate()
    fetcher.document = accounts.jwks()
    clock.advance(11)

    assert await keys.key(new_kid) is not None
    assert fetcher.fetches == 2


async def test_refreshes_for_unknown_kids_are_rate_limited() -> None:
    accounts = StandInAccounts()
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)
    await keys.key(accounts.kid)

    for n in range(20):
        assert await keys.key(f"junk-{n}") is None
    assert fetcher.fetches == 1  # the first fetch was less than 10 s ago

    clock.advance(10)
    assert await keys.key("junk-after-interval") is None
    assert fetcher.fetches == 2


async def test_concurrent_lookups_of_an_unknown_kid_share_one_fetch() -> None:
    accounts = StandInAccounts()
    fetcher = FakeJwksFetcher(accounts.jwks())
    keys = key_set(fetcher, FakeClock())

    found = await asyncio.gather(*(keys.key(accounts.kid) for _ in range(10)))

    assert all(key is not None for key in found)
    assert fetcher.fetches == 1


class SlowFetcher(FakeJwksFetcher):
    """A fetch that takes a while, as a real one over HTTP does: it waits for ``release``."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(document)
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def fetch(self) -> dict[str, Any]:
        self.fetches += 1
        self.started.set()
        await self.release.wait()
        assert self.document is not None
        return dict(self.document)


async def test_lookups_during_the_first_fetch_wait_for_it_instead_of_failing() -> None:
    # Seen under load on a freshly started replica: requests arriving while the first fetch was
    # in flight answered 503 keys-unavailable.
    accounts = StandInAccounts()
    fetcher = SlowFetcher(accounts.jwks())
    keys = key_set(fetcher, FakeClock())

    lookups = [asyncio.create_task(keys.key(accounts.kid)) for _ in range(5)]
    # The first lookup is fetching; the others, scheduled before this test could resume, wait.
    await fetcher.started.wait()
    assert not any(lookup.done() for lookup in lookups)
    fetcher.release.set()
    found = await asyncio.gather(*lookups)

    assert all(key is not None for key in found)
    assert fetcher.fetches == 1


async def test_stale_keys_are_refetched_and_removed_keys_disappear() -> None:
    accounts = StandInAccounts()
    old_kid = accounts.kid
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)
    await keys.key(old_kid)

    new_kid = accounts.rotate()
    del accounts.keys[old_kid]  # accounts stopped publishing the old key
    fetcher.document = accounts.jwks()
    clock.advance(300)

    assert await keys.key(old_kid) is None
    assert await keys.key(new_kid) is not None
    assert fetcher.fetches == 2


async def test_a_failed_refresh_keeps_serving_the_cached_keys() -> None:
    accounts = StandInAccounts()
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)
    await keys.key(accounts.kid)

    fetcher.document = None  # accounts is down
    clock.advance(301)

    assert await keys.key(accounts.kid) is not None
    assert fetcher.fetches == 2


async def test_without_any_fetched_keys_lookups_fail_as_unavailable() -> None:
    fetcher, clock = FakeJwksFetcher(None), FakeClock()
    keys = key_set(fetcher, clock)

    with pytest.raises(KeysUnavailableError):
        await keys.key("any")
    with pytest.raises(KeysUnavailableError):
        await keys.key("any")  # within the interval: no second attempt, still unavailable
    assert fetcher.fetches == 1

    fetcher.document = StandInAccounts().jwks()
    clock.advance(10)
    assert await keys.key("any") is None  # keys are back; this kid just is not one of them


async def test_closing_closes_the_fetcher() -> None:
    fetcher = FakeJwksFetcher(None)
    await PublicKeySet(fetcher).close()
    assert fetcher.closed


def test_parse_jwks_keeps_only_public_ed25519_signing_keys() -> None:
    accounts = StandInAccounts()
    [good] = accounts.jwks()["keys"]
    junk: list[Any] = [
        "not an object",
        {**good, "kid": "no-kty", "kty": None},
        {**good, "kid": "rsa", "kty": "RSA"},
        {**good, "kid": "x448", "crv": "X448"},
        {**good, "kid": "hs", "alg": "HS256"},
        {**good, "kid": "enc", "use": "enc"},
        {**good, "kid": "private", "d": good["x"]},
        {**good, "kid": "broken", "x": "!!not-base64!!"},
        {**good, "kid": 42},
    ]

    keys = parse_jwks({"keys": [*junk, good]})

    assert list(keys) == [accounts.kid]


@pytest.mark.parametrize("document", [{}, {"keys": "nope"}, {"keys": {"a": 1}}])
def test_parse_jwks_refuses_a_document_without_a_key_list(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="no 'keys' list"):
        parse_jwks(document)


async def test_knows_answers_from_the_last_fetch_without_fetching() -> None:
    accounts = StandInAccounts()
    fetcher, clock = FakeJwksFetcher(accounts.jwks()), FakeClock()
    keys = key_set(fetcher, clock)
    assert not keys.knows(accounts.kid)  # nothing fetched yet, and asking fetches nothing
    assert fetcher.fetches == 0
    await keys.key(accounts.kid)
    old_kid, new_kid = accounts.kid, accounts.rotate()
    fetcher.document = accounts.jwks()
    clock.advance(301)  # stale: key() would fetch again, knows() does not
    assert keys.knows(old_kid)
    assert not keys.knows(new_kid)
    assert fetcher.fetches == 1
