"""Endpoints for the platform, not for users: liveness and readiness."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from projects.entrypoints.http.dependencies import ContainerDep
from projects.infrastructure.persistence.database import ping

router = APIRouter(tags=["operations"])


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
