"""Logout and a new password end every older token of the user (here: in accounts itself),
while a token from a login right after is accepted; the event that tells projects is published
with the contract's body."""

import json

import httpx
import jsonschema

from accounts.bootstrap import Container
from contracts import ACCOUNTS_EXCHANGE, UserTokensRevoked, load_snapshot
from taskboard_testing import eventually
from taskboard_testing.amqp import amqp, capture

from .test_users_api import assert_problem, bearer, login, token_for

# The verifier reloads revocations once a second (TOKEN_REVOCATION_REFRESH_SECONDS); CI is slow.
PROPAGATION_SECONDS = 10.0


async def status_of_me(client: httpx.AsyncClient, token: str) -> int:
    return (await client.get("/api/users/me", headers=bearer(token))).status_code


async def test_logout_ends_the_token_and_a_login_right_after_is_accepted(
    client: httpx.AsyncClient, container: Container, amqp_url: str
) -> None:
    old = await token_for(client)
    assert await status_of_me(client, old) == 200  # verified and cached before the logout

    async with amqp(amqp_url) as channel:
        events = await capture(channel, ACCOUNTS_EXCHANGE, "user.tokens_revoked.v1")
        assert (await client.post("/api/users/logout", headers=bearer(old))).status_code == 204
        fresh = (await login(client, "ada@example.com")).json()["access_token"]
        message = await events.next()

    await eventually(
        lambda: status_of_me(client, old),
        until=lambda status: status == 401,
        timeout=PROPAGATION_SECONDS,
        what="the old token refused",
    )
    refused = assert_problem(await client.get("/api/users/me", headers=bearer(old)), 401)
    assert "revoked" in refused["detail"]
    assert await status_of_me(client, fresh) == 200  # issued within the same second, after

    body = json.loads(message.body)
    jsonschema.validate(body, load_snapshot(UserTokensRevoked))
    me = (await client.get("/api/users/me", headers=bearer(fresh))).json()
    assert body["payload"]["user_id"] == me["id"]


async def test_logout_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/api/users/logout"), 401)
    assert_problem(await client.post("/api/users/logout", headers=bearer("junk")), 401)


async def test_a_new_password_ends_older_tokens_and_replaces_the_old_password(
    client: httpx.AsyncClient,
) -> None:
    old = await token_for(client)
    change = {"current_password": "password1", "new_password": "a new secret"}
    response = await client.put("/api/users/me/password", json=change, headers=bearer(old))
    assert response.status_code == 204, response.text

    await eventually(
        lambda: status_of_me(client, old),
        until=lambda status: status == 401,
        timeout=PROPAGATION_SECONDS,
        what="the old token refused",
    )
    assert_problem(await login(client, "ada@example.com", "password1"), 401)
    fresh = await login(client, "ada@example.com", "a new secret")
    assert fresh.status_code == 200
    assert await status_of_me(client, fresh.json()["access_token"]) == 200


async def test_a_wrong_current_password_is_401_and_a_bad_new_one_422_changing_nothing(
    client: httpx.AsyncClient,
) -> None:
    token = await token_for(client)
    wrong = {"current_password": "not it at all", "new_password": "a new secret"}
    body = assert_problem(
        await client.put("/api/users/me/password", json=wrong, headers=bearer(token)), 401
    )
    assert "current password" in body["detail"]
    for bad in ["short", "x" * 73]:
        change = {"current_password": "password1", "new_password": bad}
        assert_problem(
            await client.put("/api/users/me/password", json=change, headers=bearer(token)), 422
        )
    assert_problem(
        await client.put(
            "/api/users/me/password", json={"new_password": "x"}, headers=bearer(token)
        ),
        422,
    )
    assert await status_of_me(client, token) == 200
    assert (await login(client, "ada@example.com", "password1")).status_code == 200
