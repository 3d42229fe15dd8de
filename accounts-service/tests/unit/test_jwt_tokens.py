"""What the real issuer signs: the issue time a logout or password change compares."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt

from accounts.infrastructure.security.jwt_tokens import EPOCH, JwtTokenIssuer
from accounts.infrastructure.security.signing_key import SigningKey
from chassis import ISSUED_AT_CLAIM


def test_the_compared_issue_time_is_the_instant_the_credentials_were_read() -> None:
    key = SigningKey.generate()
    issuer = JwtTokenIssuer(lambda: key, issuer="accounts", audience="taskboard", ttl_seconds=900)
    read_at = datetime.now(UTC) - timedelta(seconds=3)  # a login that waited to be checked

    token = issuer.issue(uuid4(), proven_at=read_at)

    claims = jwt.decode(
        token.token, key.public_key, algorithms=["EdDSA"], audience="taskboard", issuer="accounts"
    )
    assert claims[ISSUED_AT_CLAIM] == (read_at - EPOCH) // timedelta(microseconds=1)
    assert claims["exp"] - claims["iat"] == token.expires_in == 900  # signed now, lives its ttl
