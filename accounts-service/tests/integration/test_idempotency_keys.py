"""``Idempotency-Key`` on registration, on the real database."""

import hashlib
import json
from datetime import timedelta

import httpx
from sqlalchemy import func, insert, select

from accounts.bootstrap import Container
from accounts.infrastructure.persistence.tables import idempotency_keys, inbox, outbox, users
from chassis.http.idempotency import fingerprint
from chassis.messaging.retention import MessageRetention

from .test_users_api import assert_problem, rows

BODY = {"email": "ada@example.com", "password": "password1"}
JSON = {"content-type": "application/json"}


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


async def test_the_same_key_for_two_addresses_registers_both(
    client: httpx.AsyncClient, container: Container
) -> None:
    """Anonymous clients do not share one key space: a key is scoped to the address."""
    headers = {"Idempotency-Key": "register-2"}
    ada = await client.post("/api/users", json=BODY, headers=headers)
    grace = await client.post(
        "/api/users", json={**BODY, "email": "grace@example.com"}, headers=headers
    )

    assert (ada.status_code, grace.status_code) == (201, 201), grace.text
    assert ada.json()["id"] != grace.json()["id"]
    assert "idempotent-replayed" not in grace.headers
    assert await rows(container, users) == 2
    assert await rows(container, idempotency_keys) == 2


async def test_the_same_key_and_address_with_another_password_is_refused_with_422(
    client: httpx.AsyncClient, container: Container
) -> None:
    """The password is not in the fingerprint: a repeat proves it against the user's hash."""
    headers = {"Idempotency-Key": "register-4"}
    await client.post("/api/users", json=BODY, headers=headers)
    other = await client.post("/api/users", json={**BODY, "password": "password2"}, headers=headers)

    body = assert_problem(other, 422)
    assert body["type"] == "urn:taskboard:problem:idempotency-key-reused"
    assert await rows(container, users) == 1


async def test_the_same_key_and_address_in_another_letter_case_is_refused_with_422(
    client: httpx.AsyncClient, container: Container
) -> None:
    headers = {"Idempotency-Key": "register-5"}
    await client.post("/api/users", json=BODY, headers=headers)
    other = await client.post(
        "/api/users", json={**BODY, "email": "ADA@example.com"}, headers=headers
    )

    assert_problem(other, 422)
    assert await rows(container, users) == 1


async def test_no_stored_column_holds_the_password_or_a_fast_hash_of_it(
    client: httpx.AsyncClient, container: Container
) -> None:
    """An unsalted SHA-256 over a body with the password in it would be an offline guessing
    aid for whoever reads the table: bcrypt's cost would not protect it."""
    raw = json.dumps(BODY).encode()
    created = await client.post(
        "/api/users", content=raw, headers={"Idempotency-Key": "register-6", **JSON}
    )
    assert created.status_code == 201, created.text

    async with container.platform.engine.connect() as connection:
        [row] = (await connection.execute(select(idempotency_keys))).mappings().all()
    stored = [value if isinstance(value, bytes) else str(value).encode() for value in row.values()]
    bodies = [
        raw,
        json.dumps(BODY, separators=(",", ":")).encode(),
        json.dumps(BODY, sort_keys=True).encode(),
        json.dumps(BODY, sort_keys=True, separators=(",", ":")).encode(),
        BODY["password"].encode(),
    ]
    fast_hashes = {
        digest
        for body in bodies
        for digest in (
            hashlib.sha256(body).hexdigest(),
            fingerprint("POST", "/api/users", body),
        )
    }
    for value in stored:
        assert BODY["password"].encode() not in value
        assert not any(digest.encode() in value for digest in fast_hashes), value
    assert row["caller"] != ""  # scoped to the address, not one anonymous key space
    assert row["fingerprint"] != fingerprint("POST", "/api/users", raw)


async def test_a_refused_registration_keeps_no_key(
    client: httpx.AsyncClient, container: Container
) -> None:
    await client.post("/api/users", json=BODY)
    taken = await client.post("/api/users", json=BODY, headers={"Idempotency-Key": "register-3"})

    assert_problem(taken, 409)
    assert await rows(container, idempotency_keys) == 0


async def test_retention_deletes_the_anonymous_keys_older_replicas_still_write(
    client: httpx.AsyncClient, container: Container
) -> None:
    """Migration 0009 deleted the keys kept with caller '' (their fingerprint a fast hash of a
    body with the password); a replica not yet upgraded keeps writing them, so retention
    deletes them as it finds them, long before they expire."""
    await client.post("/api/users", json=BODY, headers={"Idempotency-Key": "register-6"})
    async with container.platform.engine.begin() as connection:
        await connection.execute(
            insert(idempotency_keys).values(
                caller="",
                key="register-7",
                fingerprint=fingerprint("POST", "/api/users", json.dumps(BODY).encode()),
                status_code=201,
                headers={},
                body=b"{}",
                expires_at=func.now() + timedelta(hours=24),
            )
        )

    pruned = await MessageRetention(
        container.platform.engine, outbox=outbox, inbox=inbox, expiring=idempotency_keys
    ).prune()

    assert pruned.expired == 1
    async with container.platform.engine.connect() as connection:
        kept = (await connection.execute(select(idempotency_keys.c.key))).scalars().all()
    assert kept == ["register-6"]  # the scoped key of a current replica stays


async def test_the_openapi_documents_the_header(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = spec["paths"]["/api/users"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
