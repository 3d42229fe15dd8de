"""accounts' endpoint for other services, not for users: its public keys."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from accounts.entrypoints.http.dependencies import ContainerDep

router = APIRouter(tags=["operations"])


@router.get("/.well-known/jwks.json")
async def jwks(container: ContainerDep) -> JSONResponse:
    """Public keys that verify accounts' access tokens (for other services, cacheable): the
    key that signs now, the next one, and those whose tokens may still be alive."""
    return JSONResponse(
        {"keys": [key.public_jwk() for key in container.signing_keys.published()]},
        headers={"Cache-Control": "public, max-age=300"},
    )
