"""Hand-made tokens for the 401 cases: each one wrong in exactly one way."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt

from accounts.infrastructure.security.signing_key import SigningKey


def claims(user_id: UUID, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base = {
        "sub": str(user_id),
        "iss": "taskboard-accounts",
        "aud": "taskboard",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": str(uuid4()),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: SigningKey, payload: dict[str, Any], *, kid: str | None = None) -> str:
    return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": kid or key.kid})


def unsigned(payload: dict[str, Any], kid: str) -> str:
    """An ``alg: none`` token, as an attacker would craft it."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, default=str).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    body = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in payload.items()}
    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(body)}."


def hs256_with_public_key(key: SigningKey, payload: dict[str, Any]) -> str:
    """The classic algorithm-confusion attack: HMAC keyed with the public key's bytes."""
    secret = base64.urlsafe_b64decode(key.public_jwk()["x"] + "==")  # the public key's bytes
    return jwt.encode(payload, secret, algorithm="HS256", headers={"kid": key.kid})


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["sub"] = str(uuid4())
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"
