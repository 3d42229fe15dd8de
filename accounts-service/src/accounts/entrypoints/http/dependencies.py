"""FastAPI dependencies: the container, the caller's identity, body media types.

All are ``async def``: FastAPI runs a plain ``def`` dependency on its thread pool, a hand-off
that cost more than everything else these do, on every request."""

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from accounts.bootstrap import Container
from accounts.entrypoints.http.problems import ProblemError
from accounts.infrastructure.security.jwt_tokens import MissingTokenError

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/users/login")


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
    return container.verifier.user_id(credentials.credentials)


CurrentUserId = Annotated[UUID, Depends(current_user_id)]


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_body(request: Request) -> None:
    media_type = _media_type(request)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ProblemError(415, "Send the body as application/json.", slug="unsupported-media-type")


async def form_body(request: Request) -> None:
    if _media_type(request) not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise ProblemError(
            415,
            "Send the credentials as an application/x-www-form-urlencoded form.",
            slug="unsupported-media-type",
        )
