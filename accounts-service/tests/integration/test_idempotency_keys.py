"""``Idempotency-Key`` on registration, on the real database."""

import httpx

from accounts.bootstrap import Container
from accounts.infrastructure.persistence.tables import idempotency_keys, outbox, users

from .test_users_api import assert_problem, rows

BODY = {"email": "ada@example.com", "password": "password1"}


async def test_a_repeated_registration_gets_the_first_answer_and_makes_one_user(
    client: httpx.AsyncClient, container: Container
) -> None:
    headers = {"Idempotency-Key": "register-1"}
    first = await client.post("/api/users", json=BODY, headers=headers)
    again = await client.post("/api/users", json=BODY, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await rows(container, users) == 1
    assert await rows(container, outbox) == 1  # one UserAccountCreated
    assert await rows(container, idempotency_keys) == 1


async def test_the_same_key_for_another_registration_is_refused_with_422(
    client: httpx.AsyncClient, container: Container
) -> None:
    headers = {"Idempotency-Key": "register-2"}
    await client.post("/api/users", json=BODY, headers=headers)
    other = await client.post(
        "/api/users", json={**BODY, "email": "grace@example.com"}, headers=headers
    )

    body = assert_problem(other, 422)
    assert body["type"] == "urn:taskboard:problem:idempotency-key-reused"
    assert await rows(container, users) == 1


async def test_a_refused_registration_keeps_no_key(
    client: httpx.AsyncClient, container: Container
) -> None:
    await client.post("/api/users", json=BODY)
    taken = await client.post("/api/users", json=BODY, headers={"Idempotency-Key": "register-3"})

    assert_problem(taken, 409)
    assert await rows(container, idempotency_keys) == 0


async def test_the_openapi_documents_the_header(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = spec["paths"]["/api/users"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
