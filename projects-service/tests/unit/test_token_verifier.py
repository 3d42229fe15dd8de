"""Bearer tokens: only EdDSA tokens signed by a key accounts publishes, with the right claims."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from chassis import AccessTokenVerifier, InvalidTokenError, KeysUnavailableError
from projects.infrastructure.security.jwks import PublicKeySet
from tests.stand_in_accounts import StandInAccounts, tampered

from .fakes import FakeClock, FakeJwksFetcher

USER = UUID("6f1c0b0e-2f4b-4a53-9d7a-6d3c2b1a0f99")


def verifier_for(
    accounts: StandInAccounts, fetcher: FakeJwksFetcher | None = None
) -> AccessTokenVerifier:
    keys = PublicKeySet(fetcher or FakeJwksFetcher(accounts.jwks()), clock=FakeClock())
    return AccessTokenVerifier(keys, issuer="taskboard-accounts", audience="taskboard")


async def test_a_valid_token_gives_the_user_id() -> None:
    accounts = StandInAccounts()
    assert await verifier_for(accounts).user_id(accounts.token(USER)) == USER


async def test_a_token_from_a_key_rotated_in_after_the_first_fetch_is_accepted() -> None:
    accounts = StandInAccounts()
    fetcher = FakeJwksFetcher(accounts.jwks())
    keys = PublicKeySet(fetcher, min_refresh_interval=0, clock=FakeClock())
    verifier = AccessTokenVerifier(keys, issuer="taskboard-accounts", audience="taskboard")
    await verifier.user_id(accounts.token(USER))

    accounts.rotate()
    fetcher.document = accounts.jwks()

    assert await verifier.user_id(accounts.token(USER)) == USER
    assert fetcher.fetches == 2


def forgeries(accounts: StandInAccounts) -> dict[str, str]:
    now = datetime.now(UTC)
    token = accounts.token(USER)
    return {
        "expired": accounts.token(USER, iat=now - timedelta(hours=2), exp=now - timedelta(hours=1)),
        "tampered": tampered(token),
        "alg none": accounts.unsigned(USER),
        "hs256 with the public key": accounts.hs256_with_public_key(USER),
        "signed by a stranger": accounts.signed_by_a_stranger(USER),
        "unknown kid": tampered_header(token, kid="no-such-key"),
        "no kid": tampered_header(token, kid=None),
        "wrong issuer": accounts.token(USER, iss="someone-else"),
        "wrong audience": accounts.token(USER, aud="another-app"),
        "no jti": accounts.token(USER, jti=None),
        "no exp": accounts.token(USER, exp=None),
        "no sub": accounts.token(USER, sub=None),
        "sub not a uuid": accounts.token(USER, sub="12345"),
        "issued in the future": accounts.token(USER, iat=now + timedelta(hours=1)),
        "garbage": "not.a.token",
        "empty": "",
        "huge": "a" * 10_000,
    }


def tampered_header(token: str, **changes: Any) -> str:
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415

    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{encoded}.{payload}.{signature}"


@pytest.mark.parametrize("case", list(forgeries(StandInAccounts())))
async def test_every_forged_or_broken_token_is_refused(case: str) -> None:
    accounts = StandInAccounts()
    with pytest.raises(InvalidTokenError):
        await verifier_for(accounts).user_id(forgeries(accounts)[case])


async def test_an_expired_token_says_so() -> None:
    accounts = StandInAccounts()
    past = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(InvalidTokenError, match="expired"):
        await verifier_for(accounts).user_id(accounts.token(USER, iat=past, exp=past))


async def test_when_accounts_keys_were_never_reachable_verification_is_unavailable() -> None:
    accounts = StandInAccounts()
    with pytest.raises(KeysUnavailableError):
        await verifier_for(accounts, FakeJwksFetcher(None)).user_id(accounts.token(uuid4()))
