"""What the gateway itself promises: request ids, problems, docs, health."""

import uuid
from pathlib import Path

import httpx
import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import BIN, LocalStack, Process, free_port

from taskboard_testing import eventually


async def test_request_id_is_kept_or_made_and_passed_on(api: TaskboardClient) -> None:
    kept = await api.request("GET", "/api/users/me", headers={"X-Request-ID": "e2e-abc-123"})
    assert kept.headers["x-request-id"] == "e2e-abc-123"
    made = await api.request("GET", "/api/users/me")
    assert uuid.UUID(made.headers["x-request-id"])


async def test_unknown_path_is_a_404_problem(api: TaskboardClient) -> None:
    for path in ("/api/nothing", "/api/usersX", "/.well-known/jwks.json"):
        response = await api.request("GET", path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_merged_openapi_and_docs(api: TaskboardClient) -> None:
    document = (await api.request("GET", "/api/openapi.json")).json()
    paths = set(document["paths"])
    assert {"/api/users", "/api/users/login", "/api/users/me"} <= paths
    assert {"/api/projects", "/api/projects/{project_id}/tasks"} <= paths or any(
        p.startswith("/api/projects/{") for p in paths
    )
    docs = await api.request("GET", "/api/docs")
    assert docs.status_code == 200
    assert "/api/openapi.json" in docs.text


async def test_health_names_every_part(api: TaskboardClient) -> None:
    response = await api.request("GET", "/health")
    assert response.status_code == 200
    assert "accounts" in response.text
    assert "projects" in response.text


async def test_a_service_that_is_down_is_a_502_problem_and_health_names_it(
    stack: LocalStack | None, tmp_path: Path
) -> None:
    if stack is None:
        pytest.skip("needs a stack started here, to run a second gateway beside it")
    port, admin, closed = free_port(), free_port(), free_port()
    env = {
        **stack.env(),
        "GATEWAY_PORT": str(port),
        "GATEWAY_ADMIN_PORT": str(admin),  # beside the stack's own gateway
        "PROJECTS_URL": f"http://127.0.0.1:{closed}",
        "PROJECTS_URLS": f"http://127.0.0.1:{closed}",  # the list wins over the single URL
    }
    gateway = Process("gateway-broken", [str(BIN / "gateway")], env, tmp_path / "gateway.log")
    gateway.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await eventually(
                lambda: _get(client, "/health"),
                until=lambda r: r is not None,
                timeout=120,  # a bound only: it starts in seconds on a quiet machine
                what="gateway up",
            )
            assert health.status_code == 503
            assert "projects" in health.text
            down = await client.get("/api/projects")
            assert down.status_code == 502
            assert down.headers["content-type"].startswith("application/problem+json")
            still_up = await client.post(
                "/api/users/login", data={"username": "a@b.co", "password": "x"}
            )
            assert still_up.status_code == 401  # the other route is unaffected
    finally:
        gateway.stop()


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response | None:
    try:
        return await client.get(path)
    except httpx.TransportError:
        return None
