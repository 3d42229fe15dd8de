"""The original monolith's whole user journey, through the gateway only."""

from typing import Any

import pytest
from taskboard_e2e import ApiError, TaskboardClient

from taskboard_testing import eventually

from .conftest import PASSWORD, new_user, unique_email

STARTER_TASKS = [
    ("Sign up!", True),
    ("Watch the tutorial", False),
    ("Start using our awesome app", False),
]


async def starter_project(user: TaskboardClient) -> dict[str, Any]:
    listing = await eventually(
        user.projects, until=lambda page: page["total"] >= 1, what="the starter project"
    )
    [project] = listing["projects"]
    return project  # type: ignore[no-any-return]


async def test_a_new_user_gets_the_starter_project_and_sees_it_in_users_me(
    api: TaskboardClient,
) -> None:
    user, email = await new_user(api, "starter")

    project = await starter_project(user)
    assert project["name"] == "My first project"
    tasks = await user.tasks(project["id"])
    assert [(t["number"], t["name"], t["completed_at"] is not None) for t in tasks] == [
        (n, name, done) for n, (name, done) in enumerate(STARTER_TASKS, start=1)
    ]
    me = await eventually(user.me, until=lambda m: m["projects"] != [], what="projection")
    assert me["email"] == email
    assert me["projects"] == [{"id": project["id"], "name": "My first project"}]


async def test_projects_and_tasks_follow_every_rule_of_the_original(api: TaskboardClient) -> None:
    user, _ = await new_user(api, "rules")
    await starter_project(user)

    project = await user.create_project("Learn DDD", limit=2)
    assert project["maximum_number_of_incomplete_tasks"] == 2
    first = await user.create_task(project["id"], "Read the blue book")
    second = await user.create_task(project["id"], "Read the red book")
    assert (first["number"], second["number"]) == (1, 2)

    with pytest.raises(ApiError) as over_limit:
        await user.create_task(project["id"], "One too many")
    assert over_limit.value.status == 409

    done = await user.complete(project["id"], 1)
    again = await user.complete(project["id"], 1)
    assert done["completed_at"] == again["completed_at"]  # idempotent: the first time stays
    third = await user.create_task(project["id"], "Model a domain")
    assert third["number"] == 3  # numbers are never reused
    with pytest.raises(ApiError) as reopen:
        await user.incomplete(project["id"], 1)
    assert reopen.value.status == 409  # would exceed the limit

    with pytest.raises(ApiError) as archive_early:
        await user.archive(project["id"])
    assert archive_early.value.status == 409
    with pytest.raises(ApiError) as delete_live:
        await user.delete_project(project["id"])
    assert delete_live.value.status == 409

    for number in (2, 3):
        await user.complete(project["id"], number)
    archived = await user.archive(project["id"])
    assert archived["archived"] is True
    assert archived["archived_at"] is not None
    await user.unarchive(project["id"])
    await user.archive(project["id"])
    await user.delete_project(project["id"])

    for call in (user.project(project["id"]), user.tasks(project["id"])):
        with pytest.raises(ApiError) as gone:
            await call
        assert gone.value.status == 404
    listing = await user.projects()
    assert [p["name"] for p in listing["projects"]] == ["My first project"]


async def test_users_me_follows_create_rename_and_delete(api: TaskboardClient) -> None:
    user, _ = await new_user(api, "projection")
    await starter_project(user)
    project = await user.create_project("Work")

    def names(me: dict[str, Any]) -> list[str]:
        return sorted(p["name"] for p in me["projects"])

    await eventually(user.me, until=lambda m: names(m) == ["My first project", "Work"])
    await user.update_project(project["id"], name="Career")
    await eventually(user.me, until=lambda m: names(m) == ["Career", "My first project"])
    await user.archive(project["id"])
    await user.delete_project(project["id"])
    await eventually(user.me, until=lambda m: names(m) == ["My first project"])


async def test_change_of_email_then_login_with_the_new_one(api: TaskboardClient) -> None:
    user, email = await new_user(api, "email")
    new_email = unique_email("changed")

    changed = await user.change_email(new_email)

    assert changed["email"] == new_email
    assert (await user.me())["email"] == new_email
    with pytest.raises(ApiError) as old:
        await api.as_user("").login(email, PASSWORD)
    assert old.value.status == 401
    assert await api.as_user("").login(new_email, PASSWORD)


async def test_pagination_of_the_project_list(api: TaskboardClient) -> None:
    user, _ = await new_user(api, "pages")
    await starter_project(user)
    for n in range(4):
        await user.create_project(f"Project {n}")

    page = await user.projects(limit=2, offset=1)

    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert len(page["projects"]) == 2
