from typing import Any

import httpx
from fastapi import APIRouter, Depends

from chassis import json_body, service_app

router = APIRouter()


@router.post("/things", dependencies=[Depends(json_body)])
async def things(body: dict[str, Any]) -> dict[str, Any]:
    return body


class NoPlatform:
    platform: Any = None

    async def close(self) -> None: ...


def client() -> httpx.AsyncClient:
    app = service_app(
        title="t",
        description="d",
        routers=[router],
        errors={},
        build=NoPlatform,
        subscribe=lambda _: None,
        container=NoPlatform(),  # type: ignore[arg-type]
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_every_answer_is_nosniff_unframed_and_not_stored() -> None:
    async with client() as c:
        for response in [await c.post("/things", json={"a": 1}), await c.get("/nowhere")]:
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["cache-control"] == "no-store"
            assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_the_docs_get_a_policy_that_lets_swagger_run_and_forbids_framing() -> None:
    async with client() as c:
        docs = await c.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "https://cdn.jsdelivr.net" in policy


async def test_json_with_a_duplicate_key_is_refused() -> None:
    async with client() as c:
        response = await c.post(
            "/things",
            content=b'{"name": "first", "name": "second"}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:taskboard:problem:duplicate-json-key"
