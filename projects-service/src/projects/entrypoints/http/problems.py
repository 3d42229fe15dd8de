"""RFC 9457 problem details: the one error shape every endpoint answers with."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from projects.domain.errors import (
    ConcurrentUpdateError,
    DomainError,
    InvalidMaximumNumberOfIncompleteTasksError,
    InvalidProjectNameError,
    InvalidTaskNameError,
    MaxIncompleteTasksNumberIsReachedError,
    ProjectAlreadyExistsError,
    ProjectArchivedError,
    ProjectHasIncompleteTasksError,
    ProjectNotArchivedError,
    ProjectNotFoundError,
    ProjectStateError,
    TaskNotFoundError,
)
from projects.infrastructure.persistence.database_errors import (
    DATABASE_ERRORS,
    database_unavailable,
)
from projects.infrastructure.security.jwks import KeysUnavailableError
from projects.infrastructure.security.token_verifier import InvalidTokenError, MissingTokenError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:taskboard:problem:"

# domain error -> (status, problem type slug); looked up along the class hierarchy
DOMAIN_ERRORS: dict[type[DomainError], tuple[int, str]] = {
    InvalidProjectNameError: (422, "invalid-project-name"),
    InvalidTaskNameError: (422, "invalid-task-name"),
    InvalidMaximumNumberOfIncompleteTasksError: (422, "invalid-maximum-number-of-incomplete-tasks"),
    ProjectNotFoundError: (404, "project-not-found"),
    TaskNotFoundError: (404, "task-not-found"),
    MaxIncompleteTasksNumberIsReachedError: (409, "max-incomplete-tasks-number-is-reached"),
    ProjectHasIncompleteTasksError: (409, "project-has-incomplete-tasks"),
    ProjectNotArchivedError: (409, "project-not-archived"),
    ProjectArchivedError: (409, "project-archived"),
    ProjectStateError: (409, "project-state"),
    ProjectAlreadyExistsError: (409, "project-already-exists"),
    ConcurrentUpdateError: (409, "concurrent-update"),
}
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}
INVALID_TOKEN_HEADERS = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


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
    headers: dict[str, str] | None = None,
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
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: DomainError) -> tuple[int, str]:
    for cls in type(error).__mro__:
        if cls in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[cls]
    return 400, "domain-rule"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        status, slug = status_of(error)
        return problem(status, str(error), slug=slug)

    @app.exception_handler(InvalidTokenError)
    async def invalid_token(_: Request, error: InvalidTokenError) -> JSONResponse:
        # RFC 6750: a request without any token gets no error code, a bad token does.
        missing = isinstance(error, MissingTokenError)
        headers = UNAUTHORIZED_HEADERS if missing else INVALID_TOKEN_HEADERS
        return problem(401, str(error), slug="invalid-token", headers=headers)

    @app.exception_handler(KeysUnavailableError)
    async def keys_unavailable(_: Request, error: KeysUnavailableError) -> JSONResponse:
        return problem(503, str(error), slug="keys-unavailable", headers={"Retry-After": "10"})

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
        headers = dict(error.headers) if error.headers else None
        return problem(error.status_code, detail, headers=headers)

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
