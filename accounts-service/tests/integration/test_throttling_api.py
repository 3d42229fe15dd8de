"""Throttling over HTTP on the real database: failed logins per account and per client,
registrations and email changes per client; 429 problem+json with Retry-After, decided before
any hashing, the same for unknown accounts, shared by every replica."""

from collections.abc import AsyncIterator

import httpx
import pytest

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app

from .test_users_api import assert_problem, bearer, register, token_for

FREE = 5  # THROTTLE_FAILED_LOGINS_PER_ACCOUNT's default


def from_client(address: str) -> dict[str, str]:
    """As the gateway forwards a client (the in-process peer is 127.0.0.1, a trusted proxy)."""
    return {"X-Forwarded-For": address}


async def login(
    client: httpx.AsyncClient, email: str, password: str, address: str = "203.0.113.1"
) -> httpx.Response:
    return await client.post(
        "/api/users/login",
        data={"username": email, "password": password},
        headers=from_client(address),
    )


def assert_throttled(response: httpx.Response) -> dict[str, object]:
    body = assert_problem(response, 429)
    assert body["type"] == "urn:taskboard:problem:too-many-attempts"
    assert int(response.headers["retry-after"]) >= 1
    return body


@pytest.fixture
async def replica(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second accounts process on the same database."""
    other: Container = bootstrap(settings)
    app = create_app(container=other)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://replica") as c,
    ):
        yield c
    await other.close()


async def test_failed_logins_for_an_account_are_throttled_on_every_replica(
    client: httpx.AsyncClient, replica: httpx.AsyncClient
) -> None:
    await register(client, "ada@example.com")
    for attempt in range(FREE):
        address = f"203.0.113.{attempt + 10}"  # many clients: only the account's count grows
        assert_problem(await login(client, "ada@example.com", "wrong guess", address), 401)
    assert_problem(await login(replica, "ADA@example.com", "wrong guess"), 401)  # the 6th

    # Now even the right password waits (no bcrypt is spent), on either replica.
    assert_throttled(await login(client, "ada@example.com", "password1"))
    assert_throttled(await login(replica, "ada@example.com", "password1"))
    # Another account is unaffected.
    await register(client, "bob@example.com")
    assert (await login(client, "bob@example.com", "password1")).status_code == 200


async def test_a_throttled_unknown_account_looks_like_a_known_one(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "ada@example.com")
    answers = []
    for email in ["ada@example.com", "nobody@example.com"]:
        for _ in range(FREE + 1):
            assert_problem(await login(client, email, "wrong guess", "198.51.100.1"), 401)
        answers.append(await login(client, email, "wrong guess", "198.51.100.2"))
    known, unknown = (assert_throttled(answer) for answer in answers)
    assert known.keys() == unknown.keys()
    assert known["type"] == unknown["type"]
    assert known["title"] == unknown["title"]


async def test_a_success_clears_the_accounts_failures(client: httpx.AsyncClient) -> None:
    await register(client, "ada@example.com")
    for _ in range(2):
        for _ in range(FREE - 1):
            assert_problem(await login(client, "ada@example.com", "wrong guess"), 401)
        assert (await login(client, "ada@example.com", "password1")).status_code == 200
    assert_problem(await login(client, "ada@example.com", "wrong guess"), 401)


async def test_failed_logins_from_one_client_are_throttled_for_that_client_only(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "ada@example.com")
    for number in range(21):  # THROTTLE_FAILED_LOGINS_PER_CLIENT (20) + 1, over many accounts
        assert_problem(await login(client, f"guess{number}@example.com", "x", "192.0.2.9"), 401)
    assert_throttled(await login(client, "ada@example.com", "password1", "192.0.2.9"))
    assert (await login(client, "ada@example.com", "password1", "192.0.2.10")).status_code == 200


async def test_registrations_from_one_client_are_throttled_and_others_are_not(
    client: httpx.AsyncClient,
) -> None:
    for number in range(11):  # THROTTLE_REGISTRATIONS_PER_CLIENT (10) + 1: taken ones count too
        response = await client.post(
            "/api/users",
            json={"email": "ada@example.com", "password": "password1"},
            headers=from_client("192.0.2.20"),
        )
        assert response.status_code == (201 if number == 0 else 409)
    blocked = await client.post(
        "/api/users",
        json={"email": "new@example.com", "password": "password1"},
        headers=from_client("192.0.2.20"),
    )
    assert_throttled(blocked)
    other = await client.post(
        "/api/users",
        json={"email": "new@example.com", "password": "password1"},
        headers=from_client("192.0.2.21"),
    )
    assert other.status_code == 201


async def test_email_change_probes_from_one_client_are_throttled(
    client: httpx.AsyncClient,
) -> None:
    token = await token_for(client)
    await register(client, "bob@example.com")
    headers = {**bearer(token), **from_client("192.0.2.30")}
    for _ in range(11):
        response = await client.put(
            "/api/users/me", json={"email": "bob@example.com"}, headers=headers
        )
        assert response.status_code == 409
    assert_throttled(
        await client.put("/api/users/me", json={"email": "bob@example.com"}, headers=headers)
    )


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(
    settings: Settings,
) -> None:
    """Behind no gateway, a client cannot escape its count by inventing X-Forwarded-For."""
    other = bootstrap(settings.model_copy(update={"trusted_proxies": "10.9.9.9/32"}))
    app = create_app(container=other)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as direct,
    ):
        for number in range(21):
            await login(direct, f"guess{number}@example.com", "x", f"192.0.2.{number + 100}")
        assert_throttled(await login(direct, "any@example.com", "x", "192.0.2.250"))
    await other.close()
