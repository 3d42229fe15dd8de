"""Loading a project for a change, as its owner: someone else's project is simply not there."""

from uuid import UUID

from projects.application.ports import ProjectRepository
from projects.domain.errors import ProjectNotFoundError
from projects.domain.project import Project


async def owned_project(
    projects: ProjectRepository, project_id: UUID, owner_id: UUID, *, task_number: int | None = None
) -> Project:
    project = await projects.get(project_id, task_number=task_number)
    # Another user's project answers exactly like a missing one, so ids cannot be probed.
    if project is None or project.owner_id != owner_id:
        raise ProjectNotFoundError(f"Project {project_id} was not found.")
    return project
