"""The caller's identity: the user id its bearer token speaks for, checked by the verifier of
the app's container (``async def``: FastAPI runs a plain ``def`` dependency on a thread)."""

from typing import Annotated, Any, Protocol
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chassis.security.access_tokens import AccessTokenVerifier

BEARER_SCHEME = "HTTPBearer"  # the scheme's name in the API document
_bearer = HTTPBearer(auto_error=False, scheme_name=BEARER_SCHEME)


def document_bearer_description(app: FastAPI, description: str) -> None:
    """Say in ``app``'s API document, as the bearer scheme's description, where a client
    gets the token (the service knows; the chassis knows no route that issues one)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()  # cached by FastAPI: this runs once
        schemes = schema.get("components", {}).get("securitySchemes", {})
        if BEARER_SCHEME in schemes:
            schemes[BEARER_SCHEME]["description"] = description
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


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
