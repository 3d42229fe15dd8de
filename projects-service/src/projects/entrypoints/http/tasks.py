"""``/api/projects/{id}/tasks``: the numbered tasks of one of the caller's projects."""

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Created, CreateOnce, CurrentUserId, current_user_id, post_creating
from projects.application.commands import CompleteTask, CreateTask, IncompleteTask
from projects.application.ports import TaskView
from projects.application.queries import GetTask, ListTasks
from projects.application.query_handlers import get_task, list_tasks
from projects.application.task_handlers import complete_task, create_task, incomplete_task
from projects.entrypoints.http.dependencies import ContainerDep, ProjectId, TaskNumber
from projects.entrypoints.http.responses import READ, WRITE, project_location
from projects.entrypoints.http.schemas import CreateTaskBody, TaskListOut, TaskOut

router = APIRouter(
    prefix="/api/projects/{project_id}/tasks",
    tags=["tasks"],
    dependencies=[Depends(current_user_id)],
)


@post_creating(router, "", response_model=TaskOut, responses=WRITE)
async def create(
    project_id: ProjectId,
    body: CreateTaskBody,
    user_id: CurrentUserId,
    container: ContainerDep,
    *,
    once: CreateOnce,
) -> Response:
    """Numbered 1, 2, 3… per project; 409 when the project's limit of incomplete tasks is reached
    or the project is archived."""

    async def created(connection: AsyncConnection | None) -> Created:
        task = await create_task(
            CreateTask(user_id, project_id, body.name), container.uow_in(connection)
        )
        location = f"{project_location(project_id)}/tasks/{task.number}"
        return TaskOut.of(TaskView.of(task)), location

    return await once(caller=str(user_id), create=created)


@router.get("", response_model=TaskListOut, responses=READ)
async def list_(
    project_id: ProjectId, user_id: CurrentUserId, container: ContainerDep
) -> TaskListOut:
    tasks = await list_tasks(ListTasks(user_id, project_id), container.read_model)
    return TaskListOut(tasks=[TaskOut.of(task) for task in tasks])


@router.get("/{number}", response_model=TaskOut, responses=READ)
async def detail(
    project_id: ProjectId, number: TaskNumber, user_id: CurrentUserId, container: ContainerDep
) -> TaskOut:
    return TaskOut.of(await get_task(GetTask(user_id, project_id, number), container.read_model))


@router.put("/{number}/complete", response_model=TaskOut, responses=WRITE)
async def complete(
    project_id: ProjectId, number: TaskNumber, user_id: CurrentUserId, container: ContainerDep
) -> TaskOut:
    """Idempotent: a completed task keeps its first completion time."""
    task = await complete_task(CompleteTask(user_id, project_id, number), container.uow())
    return TaskOut.of(TaskView.of(task))


@router.put("/{number}/incomplete", response_model=TaskOut, responses=WRITE)
async def incomplete(
    project_id: ProjectId, number: TaskNumber, user_id: CurrentUserId, container: ContainerDep
) -> TaskOut:
    """Re-open; 409 if that would exceed the project's limit of incomplete tasks."""
    task = await incomplete_task(IncompleteTask(user_id, project_id, number), container.uow())
    return TaskOut.of(TaskView.of(task))
