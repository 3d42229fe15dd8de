"""Small builders for aggregates in a given state."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def a_project(
    *,
    owner_id: UUID | None = None,
    name: str = "Garden",
    limit: int | None = None,
    open_tasks: int = 0,
    done_tasks: int = 0,
    archived: bool = False,
) -> Project:
    """A project with ``done_tasks`` completed tasks then ``open_tasks`` open ones; no events."""
    project = Project.create(owner_id=owner_id or uuid4(), name=ProjectName(name), now=T0)
    for n in range(done_tasks):
        project.add_task(TaskName(f"Done task {n + 1}"))
        project.complete_task(n + 1, now=T0)
    for n in range(open_tasks):
        project.add_task(TaskName(f"Open task {n + 1}"))
    project.change_maximum_number_of_incomplete_tasks(limit)
    if archived:
        project.archive(now=T0)
    project.events.clear()
    return project
