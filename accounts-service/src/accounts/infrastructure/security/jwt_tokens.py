"""Access tokens: signed with accounts' private key, checked against its public keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import jwt

from accounts.application.ports import AccessToken, TokenIssuer
from accounts.infrastructure.security.signing_key import ALGORITHM, SigningKey
from accounts.infrastructure.security.verified_tokens import VerifiedTokens

REQUIRED_CLAIMS = ["sub", "iss", "aud", "iat", "exp", "jti"]


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, expired, or not signed by a known key."""


class MissingTokenError(InvalidTokenError):
    """No bearer token at all (RFC 6750: the challenge then names no error)."""


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
        }
        token = jwt.encode(
            claims, self._key.private_key, algorithm=ALGORITHM, headers={"kid": self._key.kid}
        )
        return AccessToken(token=token, expires_in=self._ttl)


class JwtTokenVerifier:
    """Accepts only EdDSA tokens from a known ``kid`` with the expected issuer and audience."""

    def __init__(self, keys: list[SigningKey], *, issuer: str, audience: str) -> None:
        self._public_keys = {key.kid: key.public_key for key in keys}
        self._issuer = issuer
        self._audience = audience
        self._verified = VerifiedTokens()

    def user_id(self, token: str) -> UUID:
        known = self._verified.get(token)
        if known is not None:
            return known
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            public_key = self._public_keys.get(kid) if isinstance(kid, str) else None
            if public_key is None:
                raise InvalidTokenError("The token was not signed by a known key.")
            claims = jwt.decode(
                token,
                public_key,
                algorithms=[ALGORITHM],  # pinned: 'none' and HMAC tricks are refused
                issuer=self._issuer,
                audience=self._audience,
                options={"require": REQUIRED_CLAIMS},
            )
            user_id = UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidTokenError(_reason(error)) from error
        self._verified.remember(token, user_id, float(claims["exp"]))
        return user_id


def _reason(error: Exception) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "The token has expired."
    if isinstance(error, jwt.InvalidSignatureError):
        return "The token signature is invalid."
    return "The token is invalid."
