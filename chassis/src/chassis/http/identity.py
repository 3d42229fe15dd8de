"""The caller's identity: the user id its bearer token speaks for, checked by the verifier of
the app's container (``async def``: FastAPI runs a plain ``def`` dependency on a thread)."""

from typing import Annotated, Protocol
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chassis.security.access_tokens import AccessTokenVerifier

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/users/login")


class _Verifying(Protocol):
    @property
    def verifier(self) -> AccessTokenVerifier: ...


async def current_user_id(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UUID:
    container: _Verifying = request.app.state.container
    return await container.verifier.user_id(credentials.credentials if credentials else None)


CurrentUserId = Annotated[UUID, Depends(current_user_id)]
