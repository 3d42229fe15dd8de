"""Use cases that change a project itself: create, update, archive, unarchive, delete."""

from projects.application.commands import (
    ArchiveProject,
    CreateProject,
    CreateStarterProject,
    DeleteProject,
    Keep,
    UnarchiveProject,
    UpdateProject,
)
from projects.application.owned_project import owned_project
from projects.application.ports import UnitOfWork
from projects.domain.errors import ProjectAlreadyExistsError
from projects.domain.names import ProjectName
from projects.domain.project import Project
from projects.domain.starter_project import starter_project


async def create_project(command: CreateProject, uow: UnitOfWork) -> Project:
    project = Project.create(
        owner_id=command.owner_id,
        name=ProjectName(command.name),
        maximum_number_of_incomplete_tasks=command.maximum_number_of_incomplete_tasks,
    )
    async with uow as projects:
        projects.add(project)
        await uow.commit()
    return project


async def create_starter_project(command: CreateStarterProject, uow: UnitOfWork) -> Project | None:
    """Idempotent per user: None when the user already has (or had) their starter project.

    The starter project's id derives from the owner's id, so a second attempt (a duplicated
    event, a concurrent one) collides with the first on commit instead of adding another."""
    project = starter_project(command.owner_id)
    async with uow as projects:
        projects.add(project)
        try:
            await uow.commit()
        except ProjectAlreadyExistsError:
            return None
    return project


async def update_project(command: UpdateProject, uow: UnitOfWork) -> Project:
    """Rename and, when given, change the limit; an omitted limit keeps the current one."""
    name = ProjectName(command.name)
    async with uow as projects:
        project = await owned_project(projects, command.project_id, command.owner_id)
        project.rename(name)
        if not isinstance(command.maximum_number_of_incomplete_tasks, Keep):
            project.change_maximum_number_of_incomplete_tasks(
                command.maximum_number_of_incomplete_tasks
            )
        await uow.commit()
    return project


async def archive_project(command: ArchiveProject, uow: UnitOfWork) -> Project:
    async with uow as projects:
        project = await owned_project(projects, command.project_id, command.owner_id)
        project.archive()
        await uow.commit()
    return project


async def unarchive_project(command: UnarchiveProject, uow: UnitOfWork) -> Project:
    async with uow as projects:
        project = await owned_project(projects, command.project_id, command.owner_id)
        project.unarchive()
        await uow.commit()
    return project


async def delete_project(command: DeleteProject, uow: UnitOfWork) -> None:
    async with uow as projects:
        project = await owned_project(projects, command.project_id, command.owner_id)
        project.delete()
        await uow.commit()
