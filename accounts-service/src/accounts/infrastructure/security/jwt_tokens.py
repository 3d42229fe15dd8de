"""Access tokens, signed with the key ring's active key and naming it in their ``kid``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import jwt

from accounts.application.ports import AccessToken, TokenIssuer
from accounts.infrastructure.security.signing_key import ALGORITHM, SigningKey
from chassis import ISSUED_AT_CLAIM

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class JwtTokenIssuer(TokenIssuer):
    def __init__(
        self,
        signing_key: Callable[[], SigningKey],
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int,
    ) -> None:
        self._signing_key = signing_key
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds

    def issue(self, user_id: UUID, *, proven_at: datetime) -> AccessToken:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + timedelta(seconds=self._ttl),
            "jti": str(uuid4()),
            # iat has one-second resolution; a logout must not end the next login's token.
            # It is the instant the login read what it proved, which a logout or password
            # change compares (iat stays the signing time: PyJWT refuses one in the future).
            ISSUED_AT_CLAIM: (proven_at - EPOCH) // timedelta(microseconds=1),
        }
        key = self._signing_key()
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return AccessToken(token=token, expires_in=self._ttl)
