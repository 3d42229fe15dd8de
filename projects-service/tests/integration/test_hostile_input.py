"""Nothing a client can send is a 500: bad bodies, ids, numbers and query values get problems."""

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from .conftest import User
from .helpers import assert_problem

INT4_MAX = 2**31 - 1
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def project_url(client: httpx.AsyncClient, alice: User) -> str:
    response = await client.post("/api/projects", json={"name": "Garden"}, headers=alice.headers)
    url = str(response.headers["location"])
    await client.post(f"{url}/tasks", json={"name": "First task"}, headers=alice.headers)
    return url


BAD_PROJECT_BODIES: list[tuple[Any, str | None]] = [
    ([], "validation"),
    ("Garden", "validation"),
    (None, "validation"),
    ({}, "validation"),
    ({"name": 1234}, "validation"),
    ({"name": None}, "validation"),
    ({"name": ["Garden"]}, "validation"),
    ({"name": {"$gt": ""}}, "validation"),
    ({"name": "abc"}, "invalid-project-name"),
    ({"name": "    abc    "}, "invalid-project-name"),
    ({"name": "x" * 33}, "invalid-project-name"),
    ({"name": "x" * 100_000}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": 0}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": -1}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": "3"}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": True}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": 2.5}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": INT4_MAX + 1}, "validation"),
    ({"name": "Garden", "maximum_number_of_incomplete_tasks": 10**40}, "validation"),
    ({"name": "Garden", "owner_id": str(uuid4())}, "validation"),
    ({"name": "Gar\u0000den"}, "invalid-project-name"),
    ({"name": "Bad \ud800 half"}, "validation"),
]


@pytest.mark.parametrize(("body", "slug"), BAD_PROJECT_BODIES)
async def test_bad_project_bodies_are_422(
    client: httpx.AsyncClient, alice: User, project_url: str, body: Any, slug: str | None
) -> None:
    for method, url in [("POST", "/api/projects"), ("PUT", project_url)]:
        response = await client.request(
            method, url, content=json.dumps(body), headers={**alice.headers, **JSON}
        )
        assert_problem(response, 422, slug)
    listed = (await client.get("/api/projects", headers=alice.headers)).json()
    assert [p["name"] for p in listed["projects"]] == ["Garden"]


@pytest.mark.parametrize(
    ("body", "slug"),
    [({"name": "abc"}, "invalid-task-name"), ({"name": 42}, "validation"), ({}, "validation")],
)
async def test_bad_task_bodies_are_422(
    client: httpx.AsyncClient, alice: User, project_url: str, body: Any, slug: str
) -> None:
    response = await client.post(f"{project_url}/tasks", json=body, headers=alice.headers)
    assert_problem(response, 422, slug)


# (body, its content type, expected status, expected problem type)
RAW_BODIES: list[tuple[bytes, str | None, int, str | None]] = [
    (b'{"name": "Garden"', "application/json", 400, "malformed-json"),
    (b"\xff\xfe\x00garbage", "application/json", 400, None),
    (b"", "application/json", 422, "validation"),
    (b"[" * 100_000, "application/json", 400, None),
    (b'{"name": "Bad \\ud800 half"}', "application/json", 422, None),
    (b'{"name": "Garden"}', "text/plain", 415, "unsupported-media-type"),
    (b"name=Garden", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
    (b'{"name": "Garden"}', None, 415, "unsupported-media-type"),
]


@pytest.mark.parametrize("case", RAW_BODIES)
async def test_bodies_that_are_not_json_objects(
    client: httpx.AsyncClient,
    alice: User,
    project_url: str,
    case: tuple[bytes, str | None, int, str | None],
) -> None:
    content, content_type, status, slug = case
    headers = dict(alice.headers)
    if content_type:
        headers["Content-Type"] = content_type
    for method, url in [
        ("POST", "/api/projects"),
        ("PUT", project_url),
        ("POST", f"{project_url}/tasks"),
    ]:
        response = await client.request(method, url, content=content, headers=headers)
        assert_problem(response, status, slug)


BAD_PROJECT_IDS = ["not-a-uuid", "1", "-1", "x" * 5000, "%00", "00000000-0000-0000-0000"]


@pytest.mark.parametrize("project_id", BAD_PROJECT_IDS)
async def test_ids_that_are_not_uuids_are_422_everywhere(
    client: httpx.AsyncClient, alice: User, project_id: str
) -> None:
    for method, path in [
        ("GET", "/api/projects/{}"),
        ("PUT", "/api/projects/{}/archive"),
        ("DELETE", "/api/projects/{}"),
        ("GET", "/api/projects/{}/tasks"),
        ("GET", "/api/projects/{}/tasks/1"),
        ("PUT", "/api/projects/{}/tasks/1/complete"),
    ]:
        response = await client.request(method, path.format(project_id), headers=alice.headers)
        assert_problem(response, 422, "validation")


@pytest.mark.parametrize(
    "number", ["0", "-1", str(INT4_MAX + 1), str(10**30), "abc", "1.5", "1e3", "%20"]
)
async def test_task_numbers_out_of_range_or_not_whole_are_422(
    client: httpx.AsyncClient, alice: User, project_url: str, number: str
) -> None:
    for method, suffix in [("GET", ""), ("PUT", "/complete"), ("PUT", "/incomplete")]:
        response = await client.request(
            method, f"{project_url}/tasks/{number}{suffix}", headers=alice.headers
        )
        assert_problem(response, 422, "validation")


async def test_the_largest_task_number_is_simply_not_found(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    response = await client.get(f"{project_url}/tasks/{INT4_MAX}", headers=alice.headers)
    assert_problem(response, 404, "task-not-found")


async def test_a_well_formed_unknown_id_is_404(client: httpx.AsyncClient, alice: User) -> None:
    response = await client.get(f"/api/projects/{uuid4()}", headers=alice.headers)
    assert_problem(response, 404, "project-not-found")


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=abc", "offset=-1", f"offset={10**30}", "limit=1e2"],
)
async def test_bad_paging_values_are_422(
    client: httpx.AsyncClient, alice: User, query: str
) -> None:
    response = await client.get(f"/api/projects?{query}", headers=alice.headers)
    assert_problem(response, 422, "validation")


async def test_the_largest_offset_is_an_empty_page(client: httpx.AsyncClient, alice: User) -> None:
    response = await client.get(f"/api/projects?offset={INT4_MAX}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["projects"] == []


async def test_unknown_routes_and_methods_answer_problems(
    client: httpx.AsyncClient, alice: User, project_url: str
) -> None:
    assert_problem(await client.get("/api/nothing-here", headers=alice.headers), 404)
    assert_problem(await client.patch(project_url, json={}, headers=alice.headers), 405)
