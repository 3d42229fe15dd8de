"""Concurrent writers on one project: the limit holds, numbers stay distinct, losers get 409."""

import asyncio

import httpx

from chassis.http.problems import lookup
from projects.application.commands import CompleteTask, CreateTask, IncompleteTask, UpdateProject
from projects.application.project_handlers import update_project
from projects.application.task_handlers import complete_task, create_task, incomplete_task
from projects.bootstrap import Container
from projects.domain.errors import DomainError, MaxIncompleteTasksNumberIsReachedError
from projects.domain.task import Task
from projects.entrypoints.http.error_map import ERRORS
from projects.infrastructure.persistence.tables import tasks

from .conftest import User
from .helpers import rows, stored_project

LIMIT = 3
ATTEMPTS = 12


async def test_concurrent_additions_never_pass_the_limit_nor_share_a_number(
    container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id, limit=LIMIT)

    results = await asyncio.gather(
        *(
            create_task(CreateTask(alice.id, project.id, f"Racing task {n}"), container.uow())
            for n in range(ATTEMPTS)
        ),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if not isinstance(r, Task)]
    assert sorted(task.number for task in winners) == list(range(1, LIMIT + 1))
    assert len(losers) == ATTEMPTS - LIMIT
    assert all(isinstance(e, DomainError) and _status(e) == 409 for e in losers), losers
    stored = await rows(container, tasks)
    assert sorted(row.number for row in stored) == list(range(1, LIMIT + 1))
    assert all(row.completed_at is None for row in stored)


async def test_concurrent_reopenings_never_pass_the_limit(
    container: Container, alice: User
) -> None:
    project = await stored_project(container, alice.id, tasks=6)
    for number in range(1, 7):
        await complete_task(CompleteTask(alice.id, project.id, number), container.uow())
    await update_project(UpdateProject(alice.id, project.id, "Garden", 2), container.uow())

    results = await asyncio.gather(
        *(
            incomplete_task(IncompleteTask(alice.id, project.id, number), container.uow())
            for number in range(1, 7)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(r, Task) for r in results) == 2
    assert sum(isinstance(r, MaxIncompleteTasksNumberIsReachedError) for r in results) == 4
    assert sum(row.completed_at is None for row in await rows(container, tasks)) == 2


async def test_over_http_a_lost_race_answers_409_never_500(
    client: httpx.AsyncClient, alice: User
) -> None:
    created = await client.post(
        "/api/projects",
        json={"name": "Race track", "maximum_number_of_incomplete_tasks": LIMIT},
        headers=alice.headers,
    )
    project_id = created.json()["id"]

    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/projects/{project_id}/tasks",
                json={"name": f"Racing task {n}"},
                headers=alice.headers,
            )
            for n in range(ATTEMPTS)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * LIMIT + [409] * (ATTEMPTS - LIMIT)
    numbers = sorted(r.json()["number"] for r in responses if r.status_code == 201)
    assert numbers == list(range(1, LIMIT + 1))
    listed = await client.get(f"/api/projects/{project_id}/tasks", headers=alice.headers)
    assert [t["number"] for t in listed.json()["tasks"]] == numbers


async def test_concurrent_additions_without_a_limit_all_succeed_with_distinct_numbers(
    client: httpx.AsyncClient, alice: User
) -> None:
    created = await client.post("/api/projects", json={"name": "Open field"}, headers=alice.headers)
    project_id = created.json()["id"]

    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/projects/{project_id}/tasks",
                json={"name": f"Parallel task {n}"},
                headers=alice.headers,
            )
            for n in range(ATTEMPTS)
        )
    )

    assert [r.status_code for r in responses] == [201] * ATTEMPTS
    assert sorted(r.json()["number"] for r in responses) == list(range(1, ATTEMPTS + 1))


def _status(error: Exception) -> int | None:
    entry = lookup(ERRORS, error)
    return entry.status if entry else None
