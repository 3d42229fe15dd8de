"""Use case of the ``user_projects`` projection: keep up with projects-service's events."""

from accounts.application.commands import RecordProjectChange
from accounts.application.ports import UserProjects


async def record_project_change(command: RecordProjectChange, projects: UserProjects) -> None:
    await projects.record(command)
