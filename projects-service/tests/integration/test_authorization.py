"""Who may call what: no token, a bad token, or another user's token, on every endpoint."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.http.app import create_app
from projects.infrastructure.security.jwks import HttpJwksFetcher
from tests.stand_in_accounts import StandInAccounts, tampered

from .conftest import User
from .helpers import assert_problem

# (method, path, JSON body); {p} is a project of Alice's with task 1 (completed) and task 2.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/projects", {"name": "Garden"}),
    ("GET", "/api/projects", None),
    ("GET", "/api/projects/{p}", None),
    ("PUT", "/api/projects/{p}", {"name": "Stolen name"}),
    ("PUT", "/api/projects/{p}/archive", None),
    ("PUT", "/api/projects/{p}/unarchive", None),
    ("DELETE", "/api/projects/{p}", None),
    ("POST", "/api/projects/{p}/tasks", {"name": "Intruder task"}),
    ("GET", "/api/projects/{p}/tasks", None),
    ("GET", "/api/projects/{p}/tasks/1", None),
    ("PUT", "/api/projects/{p}/tasks/2/complete", None),
    ("PUT", "/api/projects/{p}/tasks/1/incomplete", None),
]
PROJECT_SCOPED = [e for e in ENDPOINTS if "{p}" in e[1]]


def endpoint_id(endpoint: tuple[str, str, Any]) -> str:
    return f"{endpoint[0]} {endpoint[1]}"


@pytest.fixture
async def alices_project(client: httpx.AsyncClient, alice: User) -> str:
    response = await client.post("/api/projects", json={"name": "Garden"}, headers=alice.headers)
    url = str(response.headers["location"])
    for name in ["Done task", "Open task"]:
        await client.post(f"{url}/tasks", json={"name": name}, headers=alice.headers)
    await client.put(f"{url}/tasks/1/complete", headers=alice.headers)
    return str(response.json()["id"])


async def call(
    client: httpx.AsyncClient,
    endpoint: tuple[str, str, dict[str, Any] | None],
    project_id: str,
    headers: dict[str, str],
) -> httpx.Response:
    method, path, body = endpoint
    return await client.request(method, path.format(p=project_id), json=body, headers=headers)


def bad_tokens(accounts: StandInAccounts) -> dict[str, dict[str, str]]:
    user = uuid4()
    past = datetime.now(UTC) - timedelta(hours=1)
    tokens = {
        "tampered": tampered(accounts.token(user)),
        "expired": accounts.token(user, iat=past - timedelta(hours=1), exp=past),
        "alg none": accounts.unsigned(user),
        "hs256 confusion": accounts.hs256_with_public_key(user),
        "unknown key": accounts.signed_by_a_stranger(user),
        "wrong audience": accounts.token(user, aud="elsewhere"),
        "garbage": "garbage",
    }
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    headers["basic scheme"] = {"Authorization": "Basic YWxpY2U6c2VjcmV0"}
    return headers


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
async def test_no_token_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, alices_project: str, endpoint: tuple[str, str, Any]
) -> None:
    response = await call(client, endpoint, alices_project, {})

    assert_problem(response, 401, "invalid-token")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
async def test_every_kind_of_bad_token_is_401(
    client: httpx.AsyncClient,
    accounts: StandInAccounts,
    alices_project: str,
    endpoint: tuple[str, str, Any],
) -> None:
    for name, headers in bad_tokens(accounts).items():
        response = await call(client, endpoint, alices_project, headers)
        assert response.status_code == 401, name
        assert_problem(response, 401, "invalid-token")
        assert response.headers["www-authenticate"].startswith("Bearer"), name


@pytest.mark.parametrize("endpoint", PROJECT_SCOPED, ids=endpoint_id)
async def test_another_users_project_is_404_exactly_like_a_missing_one(
    client: httpx.AsyncClient,
    alice: User,
    bob: User,
    alices_project: str,
    endpoint: tuple[str, str, Any],
) -> None:
    foreign = await call(client, endpoint, alices_project, bob.headers)
    missing = await call(client, endpoint, str(uuid4()), bob.headers)

    body = assert_problem(foreign, 404, "project-not-found")
    other = assert_problem(missing, 404, "project-not-found")
    assert body.keys() == other.keys()

    # Alice's project is exactly as it was.
    project = (await client.get(f"/api/projects/{alices_project}", headers=alice.headers)).json()
    assert (project["name"], project["archived"]) == ("Garden", False)
    assert (project["number_of_tasks"], project["number_of_completed_tasks"]) == (2, 1)


async def test_the_list_shows_only_the_callers_projects(
    client: httpx.AsyncClient, bob: User, alices_project: str
) -> None:
    listed = (await client.get("/api/projects", headers=bob.headers)).json()
    assert (listed["projects"], listed["total"]) == ([], 0)

    created = await client.post("/api/projects", json={"name": "Bob's own"}, headers=bob.headers)
    listed = (await client.get("/api/projects", headers=bob.headers)).json()
    assert [p["id"] for p in listed["projects"]] == [created.json()["id"]]
    assert alices_project not in {p["id"] for p in listed["projects"]}


async def test_a_token_signed_with_a_key_rotated_in_later_is_accepted(settings: Settings) -> None:
    accounts = StandInAccounts()
    fetcher = HttpJwksFetcher(settings.jwks_url, transport=accounts.transport())
    # No minimum interval between refetches here, so the rotation is seen at once.
    fresh = bootstrap(
        settings.model_copy(update={"jwks_min_refresh_seconds": 0}), jwks_fetcher=fetcher
    )
    app = create_app(container=fresh)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://p"
            ) as client,
        ):
            before = await client.get("/api/projects", headers=bearer(accounts.token(uuid4())))
            new_kid = accounts.rotate()
            after = await client.get(
                "/api/projects", headers=bearer(accounts.token(uuid4(), kid=new_kid))
            )
    finally:
        await fresh.close()

    assert (before.status_code, after.status_code) == (200, 200)
    assert accounts.jwks_requests == 2  # one initial fetch, one for the unknown kid


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
