"""Checks access tokens: EdDSA signatures by a key the token's ``kid`` names, issuer, audience,
expiry, the required claims and, when given a revocation source, that the user has not ended
the token since it was issued; verified tokens are remembered until they expire, and refused
again as soon as their key is no longer published (retired)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chassis.security.revocations import ISSUED_AT_CLAIM, Revocations
from chassis.security.verified_tokens import VerifiedToken, VerifiedTokens

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["sub", "iss", "aud", "iat", "exp", "jti"]
MAX_KID_LENGTH = 200


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, expired, or not signed by a known key."""


class MissingTokenError(InvalidTokenError):
    """The request carries no bearer token at all."""


class RevokedTokenError(InvalidTokenError):
    """The token was issued before its user logged out or changed their password."""


class KeysUnavailableError(Exception):
    """No public key could be loaded yet, so no token can be checked (not the caller's fault)."""


class PublicKeys(Protocol):
    """Where the verifier finds the public key a ``kid`` names (None: no such key); raises
    ``KeysUnavailableError`` while it has never managed to load any."""

    async def key(self, kid: str) -> Ed25519PublicKey | None: ...

    def knows(self, kid: str) -> bool:
        """Whether ``kid`` is among the keys as last loaded, without loading them: asked for
        every token verified earlier, so it must never wait for the key source."""
        ...


class AccessTokenVerifier:
    """Accepts only EdDSA tokens whose ``kid`` names a known key, with the expected issuer and
    audience; anything else is an ``InvalidTokenError``. No shared secret exists. With
    ``revocations``, a token issued at or before its user's revocation instant is refused too,
    even when it was verified (and cached) earlier; so is a cached token whose key ``keys`` no
    longer knows (a key retired early because it leaked)."""

    def __init__(
        self,
        keys: PublicKeys,
        *,
        issuer: str,
        audience: str,
        revocations: Revocations | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._revocations = revocations
        self._verified = VerifiedTokens()

    async def user_id(self, token: str | None) -> UUID:
        """The user the token speaks for; ``None`` (no token sent) is a ``MissingTokenError``."""
        if token is None:
            raise MissingTokenError("A bearer token is required.")
        verified = self._verified.get(token)
        if verified is None:
            verified = await self._verify(token)
        elif not self._keys.knows(verified.kid):
            raise InvalidTokenError("The token was not signed by a known key.")
        if self._revocations is not None:
            cutoff = await self._revocations.revoked_before(verified.user_id)
            # At or before: a token issued in the very microsecond of a logout is refused.
            if cutoff is not None and verified.issued_at <= cutoff:
                raise RevokedTokenError("The token has been revoked; log in again.")
        return verified.user_id

    async def _verify(self, token: str) -> VerifiedToken:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError("The token is invalid.") from error
        # Checked before any key lookup: 'none', HMAC and RSA tokens never reach a key.
        if header.get("alg") != ALGORITHM:
            raise InvalidTokenError("The token is not signed with an accepted algorithm.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH:
            raise InvalidTokenError("The token names no signing key.")
        public_key = await self._keys.key(kid)
        if public_key is None:
            raise InvalidTokenError("The token was not signed by a known key.")
        try:
            claims = jwt.decode(
                token,
                public_key,
                algorithms=[ALGORITHM],  # pinned
                issuer=self._issuer,
                audience=self._audience,
                options={"require": REQUIRED_CLAIMS},
            )
            verified = VerifiedToken(UUID(claims["sub"]), _issued_at(claims), kid)
        except (jwt.PyJWTError, ValueError, TypeError, AttributeError) as error:
            raise InvalidTokenError(_reason(error)) from error
        self._verified.remember(token, verified, float(claims["exp"]))
        return verified


def _issued_at(claims: dict[str, object]) -> float:
    """The finest issue time the token states: ``iat_us`` if present, else ``iat``."""
    precise = claims.get(ISSUED_AT_CLAIM)
    if precise is not None:
        if not isinstance(precise, int) or isinstance(precise, bool):
            raise ValueError(f"{ISSUED_AT_CLAIM} must be an integer")
        return precise / 1_000_000
    iat = claims["iat"]
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ValueError("iat must be a number")
    return float(iat)


def _reason(error: Exception) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "The token has expired."
    if isinstance(error, jwt.InvalidSignatureError):
        return "The token signature is invalid."
    return "The token is invalid."
