"""Liveness and readiness, without a token."""

import httpx

from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.http.app import create_app


async def test_health_answers_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_checks_the_database_the_broker_the_consumer_and_the_relay(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "broker": "ok",
            "consumer:projects.starter_project": "ok",
            "consumer:projects.token_revocations": "ok",
            "relay": "ok",
        },
    }


async def test_ready_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    # Port 1 on localhost refuses connections at once.
    broken = settings.model_copy(
        update={"database_url": "postgresql://postgres@127.0.0.1:1/nowhere"}
    )
    container = bootstrap(broken)
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as c,
        ):
            response = await c.get("/health/ready")
    finally:
        await container.close()

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["database"].startswith("down")


async def test_ready_is_503_while_the_broker_is_unreachable_and_http_still_serves(
    settings: Settings,
) -> None:
    # The app owns its container here, so its lifespan starts messaging, which must not wait
    # for a broker that refuses connections (port 1).
    broken = settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/"})
    app = create_app(settings=broken)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as c,
    ):
        response = await c.get("/health/ready")
        live = await c.get("/health")

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "checks": {
            "database": "ok",
            "broker": "down",
            "consumer:projects.starter_project": "down: not connected to the broker yet",
            "consumer:projects.token_revocations": "down: not connected to the broker yet",
            "relay": "down: not connected to the broker yet",
        },
    }
    assert live.status_code == 200
