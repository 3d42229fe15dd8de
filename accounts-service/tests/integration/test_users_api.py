"""The users HTTP API end to end in process, on the real database."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import jsonschema
import jwt
import pytest
from sqlalchemy import func, insert, select

from accounts.bootstrap import Container
from accounts.infrastructure.persistence.tables import outbox, user_projects, users
from accounts.infrastructure.security.signing_key import SigningKey

from . import tokens
from .conftest import TEST_KEY

PROBLEM = "application/problem+json"


async def register(client: httpx.AsyncClient, email: str, password: str = "password1") -> Any:
    return await client.post("/api/users", json={"email": email, "password": password})


async def login(client: httpx.AsyncClient, email: str, password: str = "password1") -> Any:
    return await client.post("/api/users/login", data={"username": email, "password": password})


async def token_for(client: httpx.AsyncClient, email: str = "ada@example.com") -> str:
    assert (await register(client, email)).status_code == 201
    response = await login(client, email)
    assert response.status_code == 200
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def rows(container: Container, table) -> int:  # type: ignore[no-untyped-def]
    async with container.platform.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(table))).scalar_one()


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


async def test_register_then_login_then_me(client: httpx.AsyncClient) -> None:
    created = await register(client, "Ada@Example.COM")
    assert created.status_code == 201
    user = created.json()
    assert user == {"id": user["id"], "email": "Ada@example.com"}

    logged_in = await login(client, "ada@example.com")
    assert logged_in.status_code == 200
    body = logged_in.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900  # short-lived: 15 minutes

    me = await client.get("/api/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {"id": user["id"], "email": "Ada@example.com", "projects": []}


async def test_the_token_carries_the_documented_claims_and_verifies_with_the_jwks(
    client: httpx.AsyncClient,
) -> None:
    token = await token_for(client)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    [jwk] = jwks["keys"]
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": jwk["kid"], "typ": "JWT"}

    public_key = jwt.PyJWK(jwk).key
    claims = jwt.decode(token, public_key, algorithms=["EdDSA"], audience="taskboard")
    assert set(claims) == {"sub", "iss", "aud", "iat", "exp", "jti", "iat_us"}
    assert claims["iat_us"] // 1_000_000 == claims["iat"]
    assert claims["iss"] == "taskboard-accounts"
    assert claims["exp"] - claims["iat"] == 900
    assert "d" not in jwk  # never the private part


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", " Ada@example.com "])
async def test_an_address_taken_in_any_case_is_a_conflict(
    client: httpx.AsyncClient, container: Container, email: str
) -> None:
    assert (await register(client, "ada@example.com")).status_code == 201

    body = assert_problem(await register(client, email), 409)
    assert "already taken" in body["detail"]
    assert await rows(container, users) == 1
    assert await rows(container, outbox) == 1


async def test_concurrent_registrations_over_http_give_one_201_and_409s(
    client: httpx.AsyncClient, container: Container
) -> None:
    responses = await asyncio.gather(
        *(register(client, e) for e in ["twin@example.com", "TWIN@example.com"] * 4)
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert await rows(container, users) == 1


@pytest.mark.parametrize(
    "password",
    ["éééé", "€€€€€€€", "x" * 72, "é" * 36],  # 8 and 21 bytes in 4 and 7 characters; 72
)
async def test_passwords_within_the_byte_bounds_fit_the_documented_bounds_and_register(
    client: httpx.AsyncClient, password: str
) -> None:
    """The document counts characters, the server bytes: short passwords of wide characters
    fit the document too, not only passwords of 8 characters and more."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for documented in (
        schemas["RegisterUserBody"]["properties"]["password"],
        schemas["ChangePasswordBody"]["properties"]["new_password"],
    ):
        jsonschema.validate(password, documented)  # what a generated client checks
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate("7 ascii", documented)  # 7 bytes: refused by both

    response = await register(client, "ada@example.com", password)

    assert response.status_code == 201, response.text
    assert (await login(client, "ada@example.com", password)).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"email": "not-an-email", "password": "password1"}, 422, "not a valid email"),
        ({"email": "", "password": "password1"}, 422, "not a valid email"),
        ({"password": "password1"}, 422, "see 'errors'"),
        ({"email": "ada@example.com"}, 422, "see 'errors'"),
        ({"email": 42, "password": "password1"}, 422, "see 'errors'"),
        ({"email": "ada@example.com", "password": "short"}, 422, "at least 8 bytes"),
        ({"email": "ada@example.com", "password": "x" * 73}, 422, "at most 72 bytes"),
        ({"email": "ada@example.com", "password": "é" * 37}, 422, "at most 72 bytes"),
        ({"email": "ada@example.com", "password": "x" * 5000}, 422, "see 'errors'"),
        ({"email": "ada@example.com", "password": "password1", "admin": True}, 422, "errors"),
        ([], 422, "see 'errors'"),
    ],
)
async def test_bad_registrations_are_refused_and_write_nothing(
    client: httpx.AsyncClient, container: Container, body: Any, status: int, fragment: str
) -> None:
    problem = assert_problem(await client.post("/api/users", json=body), status)
    assert fragment in problem["detail"]
    assert await rows(container, users) == 0
    assert await rows(container, outbox) == 0


async def test_malformed_json_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/users", content=b'{"email": "a@b.co", ', headers={"Content-Type": "application/json"}
    )
    assert assert_problem(response, 400)["detail"] == "The request body is not valid JSON."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_is_unsupported(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(
        "/api/users", content=b"email=a@b.co&password=password1", headers=headers
    )
    assert_problem(response, 415)


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "ada@example.com")

    wrong = assert_problem(await login(client, "ada@example.com", "wrong-password"), 401)
    unknown = assert_problem(await login(client, "nobody@example.com"), 401)
    too_long = assert_problem(await login(client, "ada@example.com", "x" * 100), 401)
    junk = assert_problem(await login(client, "not an email"), 401)

    assert wrong == unknown == too_long == junk


async def test_login_takes_a_form_not_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/users/login", json={"username": "ada@example.com", "password": "password1"}
    )
    assert_problem(response, 415)
    assert_problem(await client.post("/api/users/login", data={"username": "a@b.co"}), 422)


async def test_me_lists_named_live_projects_of_the_projection_by_name(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await token_for(client)
    user_id = UUID((await client.get("/api/users/me", headers=bearer(token))).json()["id"])
    kept, first, gone, unnamed, foreign = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    projection = [(kept, user_id, "Kept", False), (gone, user_id, "Gone", True)]
    projection += [(first, user_id, "Alpha", False), (unnamed, user_id, None, False)]
    projection.append((foreign, uuid4(), "Not mine", False))
    async with container.platform.engine.begin() as connection:
        await connection.execute(
            insert(user_projects),
            [
                {"project_id": p, "user_id": u, "name": n, "project_version": 1, "deleted": d}
                for p, u, n, d in projection
            ],
        )

    me = await client.get("/api/users/me", headers=bearer(token))

    assert me.json()["projects"] == [
        {"id": str(first), "name": "Alpha"},
        {"id": str(kept), "name": "Kept"},
    ]


async def test_change_email_then_log_in_with_the_new_address_only(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await token_for(client, "ada@example.com")

    changed = await client.put(
        "/api/users/me", json={"email": "Ada@Lovelace.org"}, headers=bearer(token)
    )

    assert changed.status_code == 200
    assert changed.json()["email"] == "Ada@lovelace.org"
    assert (await login(client, "ada@lovelace.org")).status_code == 200
    assert (await login(client, "ada@example.com")).status_code == 401
    async with container.platform.engine.connect() as connection:
        types = (await connection.execute(select(outbox.c.message_type))).scalars().all()
    assert sorted(types) == ["UserAccountCreated", "UserEmailChanged"]


async def test_change_email_to_a_taken_or_invalid_address_changes_nothing(
    client: httpx.AsyncClient, container: Container
) -> None:
    await register(client, "bob@example.com")
    token = await token_for(client, "ada@example.com")

    assert_problem(
        await client.put("/api/users/me", json={"email": "BOB@example.com"}, headers=bearer(token)),
        409,
    )
    assert_problem(
        await client.put("/api/users/me", json={"email": "nope"}, headers=bearer(token)), 422
    )
    assert_problem(await client.put("/api/users/me", content=b"nope", headers=bearer(token)), 415)
    me = await client.get("/api/users/me", headers=bearer(token))
    assert me.json()["email"] == "ada@example.com"
    assert await rows(container, outbox) == 2  # the two registrations only


def _bad_tokens(user_id: UUID) -> dict[str, str]:
    other_key = SigningKey.generate()
    good = tokens.signed(TEST_KEY, tokens.claims(user_id))
    past = datetime.now(UTC) - timedelta(hours=2)
    return {
        "expired": tokens.signed(
            TEST_KEY, tokens.claims(user_id, iat=past, exp=past + timedelta(minutes=5))
        ),
        "tampered": tokens.tampered(good),
        "alg none": tokens.unsigned(tokens.claims(user_id), TEST_KEY.kid),
        "HS256 with the public key": tokens.hs256_with_public_key(TEST_KEY, tokens.claims(user_id)),
        "another key, unknown kid": tokens.signed(other_key, tokens.claims(user_id)),
        "another key, our kid": tokens.signed(other_key, tokens.claims(user_id), kid=TEST_KEY.kid),
        "wrong audience": tokens.signed(TEST_KEY, tokens.claims(user_id, aud="someone-else")),
        "wrong issuer": tokens.signed(TEST_KEY, tokens.claims(user_id, iss="evil")),
        "no expiry": tokens.signed(TEST_KEY, tokens.claims(user_id, exp=None)),
        "subject not a uuid": tokens.signed(TEST_KEY, tokens.claims(user_id, sub="admin")),
        "garbage": "not.a.token",
        "empty": "",
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "tampered",
        "alg none",
        "HS256 with the public key",
        "another key, unknown kid",
        "another key, our kid",
        "wrong audience",
        "wrong issuer",
        "no expiry",
        "subject not a uuid",
        "garbage",
        "empty",
    ],
)
async def test_every_bad_token_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, case: str
) -> None:
    token = await token_for(client)
    user_id = UUID((await client.get("/api/users/me", headers=bearer(token))).json()["id"])
    bad = _bad_tokens(user_id)[case]

    for response in [
        await client.get("/api/users/me", headers=bearer(bad)),
        await client.put("/api/users/me", json={"email": "x@example.com"}, headers=bearer(bad)),
    ]:
        assert_problem(response, 401)
        expected = "Bearer" if case == "empty" else 'Bearer error="invalid_token"'  # RFC 6750
        assert response.headers["www-authenticate"] == expected


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/users/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(await client.get("/api/users/me", headers={"Authorization": "Basic eA=="}), 401)


async def test_a_valid_token_of_a_vanished_user_is_404(client: httpx.AsyncClient) -> None:
    token = tokens.signed(TEST_KEY, tokens.claims(uuid4()))
    assert_problem(await client.get("/api/users/me", headers=bearer(token)), 404)


async def test_request_id_is_kept_or_made_and_always_returned(client: httpx.AsyncClient) -> None:
    kept = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    made = await client.get("/health", headers={"X-Request-ID": "bad id with spaces\t"})
    assert made.headers["x-request-id"] != "bad id with spaces\t"
    assert UUID(made.headers["x-request-id"])


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "broker": "ok",
            "consumer:accounts.user_projects_projection": "ok",
            "relay": "ok",
        },
    }


async def test_unknown_paths_and_methods_answer_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/nothing-here"), 404)
    assert_problem(await client.delete("/api/users/me"), 405)
