"""RFC 9457 problem details: the one error shape every endpoint of every service answers with.

A service hands ``install_problem_handlers`` its own error map (exception class -> status and
slug); the framework's own errors, invalid requests, an unreachable database and anything
unexpected are answered here the same way in every service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chassis.persistence.database_errors import DATABASE_ERRORS, database_unavailable

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:taskboard:problem:"


@dataclass(frozen=True)
class Problem:
    """How one kind of error is answered: its status, its type's slug, extra headers, and
    headers that depend on the error itself (``headers_of``: a ``Retry-After`` it carries)."""

    status: int
    slug: str
    headers: Mapping[str, str] = field(default_factory=dict)
    headers_of: Callable[[Exception], Mapping[str, str]] | None = None


ErrorMap = Mapping[type[Exception], Problem]


class ProblemError(Exception):
    """Raised by the HTTP layer itself (wrong content type, …) to answer with a problem."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug


def slug_of(status: int) -> str:
    """The generic slug of a status: 404 -> ``not-found``, 405 -> ``method-not-allowed``."""
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def problem(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or slug_of(status)),
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {})
    )


def lookup(errors: ErrorMap, error: Exception) -> Problem | None:
    """The entry of the most specific class of ``error`` in ``errors``, if any."""
    for cls in type(error).__mro__:
        if cls in errors:
            return errors[cls]
    return None


def install_problem_handlers(app: FastAPI, errors: ErrorMap) -> None:
    """Answer every error of ``app`` as problem+json; ``errors`` maps the service's own."""

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return problem(500, "An unexpected error occurred; it has been logged.")

    async def mapped_error(_: Request, error: Exception) -> JSONResponse:
        entry = lookup(errors, error)
        if entry is None:  # registered for a base class, raised as an unmapped subclass
            return await unexpected(_, error)
        headers = {**entry.headers, **(entry.headers_of(error) if entry.headers_of else {})}
        return problem(entry.status, str(error), slug=entry.slug, headers=headers)

    for error_type in errors:
        app.add_exception_handler(error_type, mapped_error)

    @app.exception_handler(ProblemError)
    async def problem_error(_: Request, error: ProblemError) -> JSONResponse:
        return problem(error.status, error.detail, slug=error.slug)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        described = [_describe(e) for e in error.errors()]
        if any(e["type"] == "json_invalid" for e in described):
            return problem(400, "The request body is not valid JSON.", slug="malformed-json")
        return problem(
            422, "The request is not valid; see 'errors'.", slug="validation", errors=described
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(
            error.status_code,
            _http_detail(request, error),
            headers=dict(error.headers) if error.headers else None,
        )

    async def database_error(request: Request, error: Exception) -> JSONResponse:
        if not database_unavailable(error):
            return await unexpected(request, error)  # a bug after all
        logger.warning("Database unavailable on %s %s: %r", request.method, request.url, error)
        return problem(
            503,
            "The database cannot be reached right now; try again shortly.",
            slug="database-unavailable",
            headers={"Retry-After": "5"},
        )

    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, database_error)

    app.add_exception_handler(Exception, unexpected)


def _http_detail(request: Request, error: StarletteHTTPException) -> str | None:
    """The framework's own detail when it says more than the title; else one that helps."""
    detail = error.detail if isinstance(error.detail, str) else None
    if detail and detail != HTTPStatus(error.status_code).phrase:
        return detail
    if error.status_code == 404:
        return f"There is nothing at {request.url.path}."
    if error.status_code == 405:
        allowed = (error.headers or {}).get("allow") or (error.headers or {}).get("Allow")
        tail = f"; it allows {allowed}" if allowed else ""
        return f"{request.url.path} does not accept {request.method}{tail}."
    return None


def _describe(error: Any) -> dict[str, Any]:
    return {
        "type": error.get("type"),
        "location": [str(part) for part in error.get("loc", ())],
        "message": error.get("msg"),
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route that may answer these statuses as problems."""
    return {status: {"content": {PROBLEM_JSON: {}}} for status in statuses}
