"""Which service a request reaches, and that it reaches it unchanged."""

import aiohttp
import pytest

from tests.integration.standins import StandIn


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/users", "accounts"),
        ("/api/users/me", "accounts"),
        ("/api/projects", "projects"),
        ("/api/projects/7/tasks/1/complete", "projects"),
    ],
)
async def test_paths_go_to_the_service_that_owns_them(
    gateway: str, client: aiohttp.ClientSession, path: str, service: str
) -> None:
    async with client.get(gateway + path) as response:
        assert response.status == 200
        assert (await response.json())["service"] == service


@pytest.mark.parametrize("path", ["/api/usersX", "/api/projectsfoo/1", "/api", "/nothing"])
async def test_paths_match_on_whole_segments_else_404_problem(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn, projects: StandIn, path: str
) -> None:
    async with client.get(gateway + path) as response:
        assert response.status == 404
        assert response.content_type == "application/problem+json"
        body = await response.json(content_type=None)
        assert body["status"] == 404
        assert body["type"] == "urn:taskboard:problem:no-route"
        assert body["title"] == "Not Found"
    assert accounts.seen == projects.seen == []


async def test_raw_path_with_encoded_slash_and_query_reach_the_service_unchanged(
    gateway: str, client: aiohttp.ClientSession, projects: StandIn
) -> None:
    raw = "/api/projects/a%2Fb/c%20d?x=1&y=%2F&z&x=2"
    url = aiohttp.client.URL(gateway + raw, encoded=True)
    async with client.get(url) as response:
        assert response.status == 200
    assert projects.seen[-1].raw_path == raw


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_method_is_kept(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn, method: str
) -> None:
    async with client.request(method, gateway + "/api/users/me") as response:
        assert response.status == 200
    assert accounts.seen[-1].method == method


async def test_head_answers_headers_without_a_body(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with client.head(gateway + "/api/users/me") as response:
        assert response.status == 200
        assert await response.read() == b""
    assert accounts.seen[-1].method == "HEAD"


@pytest.mark.parametrize("path", ["/api/users/../projects", "/api/users/%2e%2E/projects"])
async def test_dot_segments_are_refused(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn, path: str
) -> None:
    url = aiohttp.client.URL(gateway + path, encoded=True)
    async with client.get(url) as response:
        assert response.status == 400
        assert response.content_type == "application/problem+json"
    assert accounts.seen == []


async def test_204_passes_without_a_body(
    gateway: str, client: aiohttp.ClientSession, projects: StandIn
) -> None:
    async with client.delete(gateway + "/api/projects/gone") as response:
        assert response.status == 204
        assert await response.read() == b""
        assert "Transfer-Encoding" not in response.headers
    assert projects.seen[-1].method == "DELETE"


async def test_status_and_headers_of_a_201_pass_unchanged(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.post(gateway + "/api/projects/created", json={"name": "x"}) as response:
        assert response.status == 201
        assert response.headers["Location"] == "/api/projects/1"
        assert response.headers["ETag"] == '"v1"'
        assert await response.json() == {"id": 1}
