"""Endpoints for the platform, not for users: public keys, liveness, readiness."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from accounts.entrypoints.http.dependencies import ContainerDep
from accounts.infrastructure.persistence.database import ping

router = APIRouter(tags=["operations"])


@router.get("/.well-known/jwks.json")
async def jwks(container: ContainerDep) -> JSONResponse:
    """Public keys that verify accounts' access tokens (for other services, cacheable)."""
    return JSONResponse(
        {"keys": [container.signing_key.public_jwk()]},
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(container: ContainerDep) -> JSONResponse:
    """Readiness: 200 only when the database and the broker answer; the body names each."""
    checks: dict[str, Any] = {}
    try:
        await ping(container.engine)
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", reported as such
        checks["database"] = f"down: {type(error).__name__}"
    checks["broker"] = "ok" if await container.messaging.ping() else "down"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "down", "checks": checks},
        status_code=200 if healthy else 503,
    )
