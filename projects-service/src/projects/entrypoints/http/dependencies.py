"""FastAPI dependencies: the container, the caller's identity, body media types.

All are ``async def``: FastAPI runs a plain ``def`` dependency on its thread pool, a hand-off
that cost more than everything else these do, on every request."""

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from projects.bootstrap import Container
from projects.entrypoints.http.problems import ProblemError
from projects.infrastructure.security.token_verifier import MissingTokenError

# Task numbers and limits are stored as PostgreSQL integer (int4).
INT4_MAX = 2**31 - 1

_bearer = HTTPBearer(
    auto_error=False, description="Access token from accounts-service (POST /api/users/login)"
)


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def current_user_id(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UUID:
    if credentials is None:
        raise MissingTokenError("A bearer token is required.")
    return await container.verifier.user_id(credentials.credentials)


CurrentUserId = Annotated[UUID, Depends(current_user_id)]
ProjectId = Annotated[UUID, Path(description="The project's id (a UUID).")]
TaskNumber = Annotated[
    int, Path(ge=1, le=INT4_MAX, description="The task's number within its project (1, 2, 3…).")
]


async def json_body(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ProblemError(415, "Send the body as application/json.", slug="unsupported-media-type")
