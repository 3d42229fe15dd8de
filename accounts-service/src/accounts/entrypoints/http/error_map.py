"""How accounts' own errors are answered (everything else is the chassis's problem+json)."""

from accounts.application.ports import HashingBusyError, TooManyAttemptsError
from accounts.domain.errors import (
    ConcurrentUpdateError,
    DomainError,
    EmailAddressAlreadyTakenError,
    InvalidCredentialsError,
    InvalidEmailAddressError,
    InvalidPasswordError,
    UserNotFoundError,
)
from chassis import ErrorMap, InvalidTokenError, MissingTokenError, Problem

# RFC 6750: a request without any token gets no error code in its challenge, a bad token does.
BEARER = {"WWW-Authenticate": "Bearer"}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}

# Looked up along the class hierarchy: the most specific entry wins.


def _retry_after(error: Exception) -> dict[str, str]:
    return {"Retry-After": str(getattr(error, "retry_after", 1))}


ERRORS: ErrorMap = {
    TooManyAttemptsError: Problem(429, "too-many-attempts", headers_of=_retry_after),
    HashingBusyError: Problem(503, "hashing-busy", {"Retry-After": "1"}),
    InvalidEmailAddressError: Problem(422, "invalid-email-address"),
    InvalidPasswordError: Problem(422, "invalid-password"),
    EmailAddressAlreadyTakenError: Problem(409, "email-address-taken"),
    ConcurrentUpdateError: Problem(409, "concurrent-update"),
    UserNotFoundError: Problem(404, "user-not-found"),
    InvalidCredentialsError: Problem(401, "invalid-credentials", BEARER),
    DomainError: Problem(400, "domain-rule"),
    MissingTokenError: Problem(401, "invalid-token", BEARER),
    InvalidTokenError: Problem(401, "invalid-token", INVALID_TOKEN),
}
