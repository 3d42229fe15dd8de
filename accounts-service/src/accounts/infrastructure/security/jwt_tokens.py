"""Access tokens: signed with accounts' private key; accounts' own public keys to check them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accounts.application.ports import AccessToken, TokenIssuer
from accounts.infrastructure.security.signing_key import ALGORITHM, SigningKey
from chassis import ISSUED_AT_CLAIM

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class JwtTokenIssuer(TokenIssuer):
    def __init__(self, key: SigningKey, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds

    def issue(self, user_id: UUID) -> AccessToken:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + timedelta(seconds=self._ttl),
            "jti": str(uuid4()),
            # iat has one-second resolution; a logout must not end the next login's token.
            ISSUED_AT_CLAIM: (now - EPOCH) // timedelta(microseconds=1),
        }
        token = jwt.encode(
            claims, self._key.private_key, algorithm=ALGORITHM, headers={"kid": self._key.kid}
        )
        return AccessToken(token=token, expires_in=self._ttl)


class OwnPublicKeys:
    """The public keys of accounts' own signing keys, by ``kid``: how accounts checks the
    tokens it issued, with the same verifier projects uses on its fetched keys."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self._keys = {key.kid: key.public_key for key in keys}

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)
