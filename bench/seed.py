"""What the scenarios need, created through the public API like any client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from taskboard_e2e.client import TaskboardClient

PASSWORD = "bench password 1"  # noqa: S105 - a throw-away user of the benchmark
READ_TASKS = 10
OTHER_PROJECTS = 3


def unique_email(label: str) -> str:
    return f"bench-{label}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass(frozen=True)
class Seed:
    email: str
    password: str
    user_id: str
    token: str
    read_project_id: str  # scenario 1: READ_TASKS tasks, some completed
    write_project_id: str  # scenario 2: no limit on incomplete tasks


async def seed(gateway_url: str) -> Seed:
    async with TaskboardClient(gateway_url, timeout=30) as api:
        email = unique_email("main")
        user = await api.register(email, PASSWORD)
        token = await api.login(email, PASSWORD)
        reads = await api.create_project("Bench reads")
        for n in range(1, READ_TASKS + 1):
            task = await api.create_task(reads["id"], f"Read task {n}")
            if n % 3 == 0:
                await api.complete(reads["id"], task["number"])
        writes = await api.create_project("Bench writes")
        for n in range(OTHER_PROJECTS):
            await api.create_project(f"Bench other {n}")
    return Seed(
        email=email,
        password=PASSWORD,
        user_id=user["id"],
        token=token,
        read_project_id=reads["id"],
        write_project_id=writes["id"],
    )
