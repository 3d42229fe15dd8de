"""RFC 9457 problem details: the one error shape every endpoint answers with."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts.domain.errors import (
    ConcurrentUpdateError,
    DomainError,
    EmailAddressAlreadyTakenError,
    InvalidCredentialsError,
    InvalidEmailAddressError,
    InvalidPasswordError,
    UserNotFoundError,
)
from accounts.infrastructure.persistence.database_errors import (
    DATABASE_ERRORS,
    database_unavailable,
)
from accounts.infrastructure.security.jwt_tokens import InvalidTokenError, MissingTokenError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:taskboard:problem:"

# domain error -> (status, problem type slug)
DOMAIN_ERRORS: dict[type[DomainError], tuple[int, str]] = {
    InvalidEmailAddressError: (422, "invalid-email-address"),
    InvalidPasswordError: (422, "invalid-password"),
    EmailAddressAlreadyTakenError: (409, "email-address-taken"),
    ConcurrentUpdateError: (409, "concurrent-update"),
    UserNotFoundError: (404, "user-not-found"),
    InvalidCredentialsError: (401, "invalid-credentials"),
}
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class ProblemError(Exception):
    """Raised by the HTTP layer itself (wrong content type, …) to answer with a problem."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug


def problem(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug if slug else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {})
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        status, slug = DOMAIN_ERRORS.get(type(error), (400, "domain-rule"))
        headers = UNAUTHORIZED_HEADERS if status == 401 else None
        return problem(status, str(error), slug=slug, headers=headers)

    @app.exception_handler(InvalidTokenError)
    async def invalid_token(_: Request, error: InvalidTokenError) -> JSONResponse:
        # RFC 6750: a presented but unusable token is named in the challenge.
        headers = UNAUTHORIZED_HEADERS if isinstance(error, MissingTokenError) else INVALID_TOKEN
        return problem(401, str(error), slug="invalid-token", headers=headers)

    @app.exception_handler(ProblemError)
    async def problem_error(_: Request, error: ProblemError) -> JSONResponse:
        return problem(error.status, error.detail, slug=error.slug)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [_describe(e) for e in error.errors()]
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "The request body is not valid JSON.", slug="malformed-json")
        return problem(
            422, "The request is not valid; see 'errors'.", slug="validation", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        return problem(error.status_code, detail, headers=error.headers)

    async def database_error(request: Request, error: Exception) -> JSONResponse:
        if not database_unavailable(error):
            raise error  # a bug after all: the 500 below
        logger.warning("Database unavailable on %s %s: %r", request.method, request.url, error)
        return problem(
            503,
            "The database cannot be reached right now; try again shortly.",
            slug="database-unavailable",
            headers={"Retry-After": "5"},
        )

    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, database_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("Unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "An unexpected error occurred; it has been logged.")


def _describe(error: Any) -> dict[str, Any]:
    return {
        "type": error.get("type"),
        "location": [str(part) for part in error.get("loc", ())],
        "message": error.get("msg"),
    }
