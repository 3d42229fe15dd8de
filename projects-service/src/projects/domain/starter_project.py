"""The project every new user starts with."""

from datetime import datetime
from uuid import UUID, uuid5

from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project, utc_now
from projects.domain.task import Task

STARTER_PROJECT_NAME = "My first project"
STARTER_TASKS = ("Sign up!", "Watch the tutorial", "Start using our awesome app")

# Fixed for ever: changing it would give every existing user a second starter project.
_STARTER_PROJECT_NAMESPACE = UUID("c6b0534a-e932-41af-897a-d6eb809c64b2")


def starter_project_id(owner_id: UUID) -> UUID:
    """The one id a user's starter project can have (a UUIDv5 of the owner's id).

    A second creation for the same user, however it is triggered, collides with the first on
    the primary key, so each user gets exactly one starter project, ever (a deleted one keeps
    its row and is not brought back)."""
    return uuid5(_STARTER_PROJECT_NAMESPACE, str(owner_id))


def starter_project(owner_id: UUID, *, now: datetime | None = None) -> Project:
    """ "My first project" with three tasks, the first ("Sign up!") already done.

    Built as one creation (version 1, one ProjectCreated event), not as a series of changes.
    """
    now = now or utc_now()
    tasks = [Task(number=n, name=TaskName(name)) for n, name in enumerate(STARTER_TASKS, 1)]
    tasks[0].complete(now)
    return Project.create(
        id=starter_project_id(owner_id),
        owner_id=owner_id,
        name=ProjectName(STARTER_PROJECT_NAME),
        tasks=tasks,
        now=now,
    )
