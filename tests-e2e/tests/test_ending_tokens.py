"""A logout or a new password ends every older token in both services, through the gateway,
within the event's propagation time; a token from a login right after is accepted by both."""

from taskboard_e2e import TaskboardClient

from taskboard_testing import eventually

from .conftest import PASSWORD, new_user

# accounts' outbox -> RabbitMQ -> projects' consumer, then each replica's reload (1 s).
PROPAGATION_SECONDS = 20.0


async def statuses(user: TaskboardClient) -> tuple[int, int]:
    """(accounts, projects) answer to this user's token."""
    me = await user.request("GET", "/api/users/me")
    projects = await user.request("GET", "/api/projects")
    return me.status_code, projects.status_code


async def test_logout_ends_the_token_in_both_services_and_the_next_login_works(
    api: TaskboardClient,
) -> None:
    user, email = await new_user(api, "logout")
    old = api.as_user(user.token or "")
    assert await statuses(old) == (200, 200)  # both services verified (and cached) it

    await user.logout()
    fresh = api.as_user("")
    await fresh.login(email, PASSWORD)  # within the same second as the logout, usually

    await eventually(
        lambda: statuses(old),
        until=lambda answer: answer == (401, 401),
        timeout=PROPAGATION_SECONDS,
        what="the old token refused by accounts and projects",
    )
    assert await statuses(fresh) == (200, 200)


async def test_a_new_password_ends_older_tokens_in_both_services(api: TaskboardClient) -> None:
    user, email = await new_user(api, "password")
    old = api.as_user(user.token or "")
    assert await statuses(old) == (200, 200)

    await user.change_password(PASSWORD, "a brand new secret")
    fresh = api.as_user("")
    await fresh.login(email, "a brand new secret")

    await eventually(
        lambda: statuses(old),
        until=lambda answer: answer == (401, 401),
        timeout=PROPAGATION_SECONDS,
        what="the old token refused by accounts and projects",
    )
    assert await statuses(fresh) == (200, 200)
