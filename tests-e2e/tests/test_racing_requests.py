"""Requests that race for the same thing, through the gateway: one wins, the others get a 4xx
that says why, nothing answers 5xx and nothing is half done. (schemathesis's two workers met
the first of these as a 500.) Each round sends its requests at once; whether they really
overlap is up to the machine, so what is asserted holds either way."""

import asyncio
import uuid

from taskboard_e2e import TaskboardClient

from .conftest import PASSWORD, new_user, unique_email

ROUNDS = 5


async def test_racing_claims_on_one_address_leave_it_to_exactly_one_user(
    api: TaskboardClient,
) -> None:
    users = [user for user, _ in [await new_user(api, "race") for _ in range(4)]]
    for _ in range(ROUNDS):
        address = unique_email("claimed")
        answers = await asyncio.gather(
            *(user.request("PUT", "/api/users/me", json={"email": address}) for user in users),
            api.request("POST", "/api/users", json={"email": address, "password": PASSWORD}),
        )
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) <= {200, 201, 409, 429}, statuses
        winners = [status for status in statuses if status in (200, 201)]
        assert len(winners) <= 1, statuses  # a change of address, or the registration
        if 429 not in statuses:  # a throttled claim (GATEWAY_URL's stack: default allowances)
            assert len(winners) == 1, statuses  # claims nothing, and may leave no winner
        holders = [user for user, answer in zip(users, answers, strict=False) if answer.is_success]
        for user in holders:
            assert (await user.me())["email"] == address


async def test_racing_password_changes_leave_the_password_of_exactly_one(
    api: TaskboardClient,
) -> None:
    for _ in range(ROUNDS):
        user, email = await new_user(api, "passwords")
        new = [f"new secret {uuid.uuid4().hex[:8]}" for _ in range(3)]
        answers = await asyncio.gather(
            *(
                user.request(
                    "PUT",
                    "/api/users/me/password",
                    json={"current_password": PASSWORD, "new_password": password},
                )
                for password in new
            )
        )
        statuses = [answer.status_code for answer in answers]
        # The losers: 409 (another change came first), or 401 once the winner's change has
        # ended the token they came with.
        assert statuses.count(204) == 1, statuses
        assert set(statuses) <= {204, 401, 409}, statuses
        [winner] = [password for password, s in zip(new, statuses, strict=True) if s == 204]
        for password in new:
            login = await api.request(
                "POST", "/api/users/login", data={"username": email, "password": password}
            )
            expected = {200} if password == winner else {401, 429}  # 429: failed logins throttled
            assert login.status_code in expected, password


async def test_two_logouts_at_once_both_succeed(api: TaskboardClient) -> None:
    for _ in range(ROUNDS):
        user, _ = await new_user(api, "logouts")
        answers = await asyncio.gather(
            user.request("POST", "/api/users/logout"), user.request("POST", "/api/users/logout")
        )
        statuses = [answer.status_code for answer in answers]
        # A 401 only if the first logout had ended the token before the second was checked.
        assert 204 in statuses, statuses
        assert set(statuses) <= {204, 401}, statuses
