"""The app every service gets from the chassis: problem+json for every error (its own map, the
framework's 404/405, no slash redirect), request ids, and one access line per request."""

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from chassis import Problem, service_app


class RuleBrokenError(Exception):
    pass


class SpecificRuleBrokenError(RuleBrokenError):
    pass


class Body(BaseModel):
    name: str


router = APIRouter(prefix="/api/things")


@router.get("")
async def things() -> list[str]:
    return []


@router.post("")
async def create(body: Body) -> dict[str, str]:
    if body.name == "specific":
        raise SpecificRuleBrokenError("a more specific rule")
    if body.name == "rule":
        raise RuleBrokenError("the rule says no")
    if body.name == "bug":
        raise RuntimeError("a bug")
    return {"name": body.name}


class StandInContainer:
    platform: Any = None

    async def close(self) -> None:
        pass


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = service_app(
        title="test",
        description="test",
        routers=[router],
        errors={
            RuleBrokenError: Problem(409, "rule-broken"),
            SpecificRuleBrokenError: Problem(422, "specific", {"X-Why": "specific"}),
        },
        build=StandInContainer,
        subscribe=lambda _: None,
        container=StandInContainer(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://service") as client,
    ):
        yield client


def problem_type(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json"
    kind: str = response.json()["type"]
    return kind


async def test_the_frameworks_own_404_and_405_are_taskboard_problems(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/api/nothing-here")
    assert (missing.status_code, problem_type(missing)) == (404, "urn:taskboard:problem:not-found")
    assert missing.json()["detail"] != missing.json()["title"]

    wrong_method = await client.delete("/api/things")
    assert wrong_method.status_code == 405
    assert problem_type(wrong_method) == "urn:taskboard:problem:method-not-allowed"
    assert "GET" in wrong_method.json()["detail"]
    assert "GET" in wrong_method.headers["allow"]


async def test_a_trailing_slash_is_a_404_problem_never_a_redirect(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/things/", headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert problem_type(response) == "urn:taskboard:problem:not-found"


async def test_the_services_map_is_looked_up_along_the_class_hierarchy(
    client: httpx.AsyncClient,
) -> None:
    broken = await client.post("/api/things", json={"name": "rule"})
    assert (broken.status_code, problem_type(broken)) == (409, "urn:taskboard:problem:rule-broken")
    specific = await client.post("/api/things", json={"name": "specific"})
    assert (specific.status_code, problem_type(specific)) == (422, "urn:taskboard:problem:specific")
    assert specific.headers["x-why"] == "specific"


async def test_invalid_input_and_bugs_are_problems_too(client: httpx.AsyncClient) -> None:
    invalid = await client.post("/api/things", json={})
    assert (invalid.status_code, problem_type(invalid)) == (422, "urn:taskboard:problem:validation")
    malformed = await client.post(
        "/api/things", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert problem_type(malformed) == "urn:taskboard:problem:malformed-json"
    bug = await client.post("/api/things", json={"name": "bug"})
    assert bug.status_code == 500
    assert problem_type(bug) == "urn:taskboard:problem:internal-server-error"
    assert "a bug" not in bug.text


async def test_each_request_has_one_access_line_with_its_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="chassis.access"):
        response = await client.get("/api/things", headers={"X-Request-ID": "req-123"})
    assert response.headers["x-request-id"] == "req-123"
    lines = [r.getMessage() for r in caplog.records if r.name == "chassis.access"]
    assert len(lines) == 1
    assert '"GET /api/things" 200' in lines[0]
    assert "request_id=req-123" in lines[0]
