"""The project every new user starts with."""

from datetime import datetime
from uuid import UUID

from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project, utc_now
from projects.domain.task import Task

STARTER_PROJECT_NAME = "My first project"
STARTER_TASKS = ("Sign up!", "Watch the tutorial", "Start using our awesome app")


def starter_project(owner_id: UUID, *, now: datetime | None = None) -> Project:
    """ "My first project" with three tasks, the first ("Sign up!") already done.

    Built as one creation (version 1, one ProjectCreated event), not as a series of changes.
    """
    now = now or utc_now()
    tasks = [Task(number=n, name=TaskName(name)) for n, name in enumerate(STARTER_TASKS, 1)]
    tasks[0].complete(now)
    return Project.create(
        owner_id=owner_id, name=ProjectName(STARTER_PROJECT_NAME), tasks=tasks, now=now
    )
