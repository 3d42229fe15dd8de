"""Liveness and readiness, the same in every service."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from chassis.platform import Platform

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers (a dependency being down does not make it restart)."""
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    """Readiness: 200 only when the database and the broker answer, every consumer of this
    process consumes from its queue and its relay can publish; the body names each part."""
    platform: Platform = request.app.state.platform
    checks = await platform.readiness()
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "down", "checks": checks},
        status_code=200 if healthy else 503,
    )
