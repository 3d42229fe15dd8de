"""A key pair made by the test stands in for accounts-service: it mints tokens and serves them
as a JWKS, plus the forged tokens an attacker would try."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "taskboard-accounts"
AUDIENCE = "taskboard"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class StandInAccounts:
    """Signs like accounts-service (EdDSA, ``kid`` header) and publishes its public keys."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.kid = self.rotate()
        self.jwks_requests = 0

    def rotate(self) -> str:
        """Add a new current key (the old ones stay published) and return its kid."""
        key = Ed25519PrivateKey.generate()
        kid = f"key-{len(self.keys) + 1}-{uuid4().hex[:8]}"
        self.keys[kid] = key
        self.kid = kid
        return kid

    def public_x(self, kid: str) -> str:
        raw = (
            self.keys[kid]
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return b64url(raw)

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": self.public_x(kid),
                    "kid": kid,
                    "alg": "EdDSA",
                    "use": "sig",
                }
                for kid in self.keys
            ]
        }

    def transport(self) -> httpx.MockTransport:
        """Answers GET /.well-known/jwks.json like accounts does; counts the requests."""

        def handle(request: httpx.Request) -> httpx.Response:
            self.jwks_requests += 1
            if request.url.path != "/.well-known/jwks.json":
                return httpx.Response(404)
            return httpx.Response(200, json=self.jwks())

        return httpx.MockTransport(handle)

    def claims(self, user_id: UUID, **overrides: Any) -> dict[str, Any]:
        now = datetime.now(UTC)
        base: dict[str, Any] = {
            "sub": str(user_id),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": str(uuid4()),
            "iat_us": (now - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1),
        }
        base.update(overrides)
        return {name: value for name, value in base.items() if value is not None}

    def token(self, user_id: UUID, *, kid: str | None = None, **overrides: Any) -> str:
        kid = kid or self.kid
        return jwt.encode(
            self.claims(user_id, **overrides),
            self.keys[kid],
            algorithm="EdDSA",
            headers={"kid": kid},
        )

    # -- forgeries ------------------------------------------------------------------------------

    def unsigned(self, user_id: UUID) -> str:
        """``alg: none``, as an attacker would craft it."""
        payload = {
            k: int(v.timestamp()) if isinstance(v, datetime) else v
            for k, v in self.claims(user_id).items()
        }
        header = {"alg": "none", "typ": "JWT", "kid": self.kid}
        return f"{part(header)}.{part(payload)}."

    def hs256_with_public_key(self, user_id: UUID) -> str:
        """Algorithm confusion: HMAC keyed with the public key's bytes."""
        secret = base64.urlsafe_b64decode(self.public_x(self.kid) + "==")
        return jwt.encode(
            self.claims(user_id), secret, algorithm="HS256", headers={"kid": self.kid}
        )

    def signed_by_a_stranger(self, user_id: UUID) -> str:
        """Right kid, right claims, but signed by a key accounts never had."""
        return jwt.encode(
            self.claims(user_id),
            Ed25519PrivateKey.generate(),
            algorithm="EdDSA",
            headers={"kid": self.kid},
        )


def part(data: dict[str, Any]) -> str:
    return b64url(json.dumps(data).encode())


def tampered(token: str, change: Callable[[dict[str, Any]], None] | None = None) -> str:
    """The token with its payload edited (by default: another ``sub``), signature kept."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if change is None:
        data["sub"] = str(uuid4())
    else:
        change(data)
    return f"{header}.{part(data)}.{signature}"
