"""The verifier refuses a token issued at or before its user's revocation instant, cached or
not, and tells a token issued a moment later from it by ``iat_us``."""

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from chassis import (
    ISSUED_AT_CLAIM,
    AccessTokenVerifier,
    InvalidTokenError,
    PolledRevocations,
    RevokedTokenError,
)

KEY = Ed25519PrivateKey.generate()


class OneKey:
    async def key(self, kid: str) -> Ed25519PublicKey | None:
        return KEY.public_key() if self.knows(kid) else None

    def knows(self, kid: str) -> bool:
        return kid == "k1"


class Revoked:
    def __init__(self) -> None:
        self.before: dict[UUID, float] = {}

    async def revoked_before(self, user_id: UUID) -> float | None:
        return self.before.get(user_id)


def token(user_id: UUID, issued_at: float, **extra: Any) -> str:
    now = datetime.fromtimestamp(issued_at, UTC)
    claims = {
        "sub": str(user_id),
        "iss": "iss",
        "aud": "aud",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": str(uuid4()),
        ISSUED_AT_CLAIM: int(issued_at * 1_000_000),
        **extra,
    }
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": "k1"})


def verifier(revoked: Revoked) -> AccessTokenVerifier:
    return AccessTokenVerifier(OneKey(), issuer="iss", audience="aud", revocations=revoked)


async def test_a_token_issued_before_the_revocation_is_refused_even_once_cached() -> None:
    revoked, user = Revoked(), uuid4()
    check = verifier(revoked)
    now = time.time()
    old = token(user, now - 0.0004)
    assert await check.user_id(old) == user  # verified and cached

    revoked.before[user] = now - 0.0002
    with pytest.raises(RevokedTokenError):
        await check.user_id(old)


async def test_a_token_issued_in_the_same_second_but_after_the_revocation_is_accepted() -> None:
    revoked, user = Revoked(), uuid4()
    now = float(int(time.time())) + 0.5  # both inside one second: iat alone cannot tell them
    revoked.before[user] = now
    assert await verifier(revoked).user_id(token(user, now + 0.000_001)) == user
    with pytest.raises(RevokedTokenError):
        await verifier(revoked).user_id(token(user, now))


async def test_other_users_tokens_are_unaffected() -> None:
    revoked, user, other = Revoked(), uuid4(), uuid4()
    revoked.before[user] = time.time()
    assert await verifier(revoked).user_id(token(other, time.time() - 1)) == other


async def test_without_the_precise_claim_iat_decides_and_a_junk_claim_is_invalid() -> None:
    revoked, user = Revoked(), uuid4()
    now = float(int(time.time()))
    revoked.before[user] = now + 0.5
    plain = token(user, now, **{ISSUED_AT_CLAIM: None})
    with pytest.raises(RevokedTokenError):
        await verifier(revoked).user_id(plain)
    with pytest.raises(InvalidTokenError):
        await verifier(revoked).user_id(token(user, now, **{ISSUED_AT_CLAIM: "soon"}))


async def test_polled_revocations_reload_once_per_interval_and_keep_the_last_on_failure() -> None:
    user, now, loads = uuid4(), [0.0], []
    answers: list[Mapping[UUID, float] | Exception] = [{}, {user: 5.0}, RuntimeError("down")]

    async def load() -> Mapping[UUID, float]:
        answer = answers[len(loads)]
        loads.append(now[0])
        if isinstance(answer, Exception):
            raise answer
        return answer

    source = PolledRevocations(load, refresh_interval=1.0, clock=lambda: now[0])
    assert await source.revoked_before(user) is None
    now[0] = 0.5
    assert await source.revoked_before(user) is None  # within the interval: no reload
    now[0] = 1.0
    assert await source.revoked_before(user) == 5.0
    now[0] = 2.0
    assert await source.revoked_before(user) == 5.0  # the reload failed: the last snapshot
    assert loads == [0.0, 1.0, 2.0]


async def test_a_cached_token_is_refused_once_its_key_is_no_longer_published() -> None:
    class RetiringKeys:
        published = True

        async def key(self, kid: str) -> Ed25519PublicKey | None:
            return KEY.public_key() if self.knows(kid) else None

        def knows(self, kid: str) -> bool:
            return kid == "k1" and self.published

    keys, user = RetiringKeys(), uuid4()
    check = AccessTokenVerifier(keys, issuer="iss", audience="aud")
    signed = token(user, time.time())
    assert await check.user_id(signed) == user  # verified and cached
    assert await check.user_id(signed) == user

    keys.published = False  # the key was retired (it leaked)
    with pytest.raises(InvalidTokenError, match="not signed by a known key"):
        await check.user_id(signed)
