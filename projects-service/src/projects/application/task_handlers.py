"""Use cases that change the tasks of a project: create, complete, re-open."""

from projects.application.commands import CompleteTask, CreateTask, IncompleteTask
from projects.application.owned_project import owned_project
from projects.application.ports import UnitOfWork
from projects.domain.names import TaskName
from projects.domain.task import Task


async def create_task(command: CreateTask, uow: UnitOfWork) -> Task:
    """Numbers and the limit are decided under the project's lock, so concurrent additions
    neither share a number nor pass the limit together."""
    name = TaskName(command.name)
    async with uow as projects:
        project = await owned_project(projects, command.project_id, command.owner_id)
        task = project.add_task(name)
        await uow.commit()
    return task


async def complete_task(command: CompleteTask, uow: UnitOfWork) -> Task:
    """Idempotent: completing a completed task keeps its first completion time."""
    async with uow as projects:
        project = await owned_project(
            projects, command.project_id, command.owner_id, task_number=command.number
        )
        task = project.complete_task(command.number)
        await uow.commit()
    return task


async def incomplete_task(command: IncompleteTask, uow: UnitOfWork) -> Task:
    """Re-opening counts against the limit; re-opening an open task changes nothing."""
    async with uow as projects:
        project = await owned_project(
            projects, command.project_id, command.owner_id, task_number=command.number
        )
        task = project.incomplete_task(command.number)
        await uow.commit()
    return task
