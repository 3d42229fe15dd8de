"""Where a client gets its bearer token is the service's to say: the chassis knows no route
that issues one, and the app puts what the service passes in the bearer scheme's description."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter

import chassis
from chassis import CurrentUserId, service_app

router = APIRouter(prefix="/api/things")


@router.get("")
async def things(user_id: CurrentUserId) -> list[str]:
    return [str(user_id)]


class StandInContainer:
    platform: Any = None

    async def close(self) -> None:
        pass


def bearer_scheme(bearer_description: str | None) -> dict[str, Any]:
    app = service_app(
        title="test",
        description="test",
        routers=[router],
        errors={},
        build=StandInContainer,
        container=StandInContainer(),
        bearer_description=bearer_description,
    )
    scheme: dict[str, Any] = app.openapi()["components"]["securitySchemes"]["HTTPBearer"]
    assert app.openapi()["components"]["securitySchemes"]["HTTPBearer"] is scheme  # built once
    return scheme


def test_the_bearer_scheme_says_what_the_service_passes() -> None:
    assert bearer_scheme("Token from POST /api/sessions") == {
        "type": "http",
        "scheme": "bearer",
        "description": "Token from POST /api/sessions",
    }
    assert "description" not in bearer_scheme(None)


def test_the_chassis_names_no_route_of_a_service() -> None:
    source = Path(chassis.__file__).parent
    for module in source.rglob("*.py"):
        assert "/api/users" not in module.read_text(), module
