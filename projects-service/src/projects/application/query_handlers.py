"""Query handlers: straight from the read model, with the same 404s as the write side."""

from projects.application.ports import ProjectPage, ProjectReadModel, ProjectView, TaskView
from projects.application.queries import GetProject, GetTask, ListProjects, ListTasks
from projects.domain.errors import ProjectNotFoundError, TaskNotFoundError


async def list_projects(query: ListProjects, read_model: ProjectReadModel) -> ProjectPage:
    return await read_model.list_projects(query.owner_id, limit=query.limit, offset=query.offset)


async def get_project(query: GetProject, read_model: ProjectReadModel) -> ProjectView:
    view = await read_model.get_project(query.owner_id, query.project_id)
    if view is None:
        raise ProjectNotFoundError(f"Project {query.project_id} was not found.")
    return view


async def list_tasks(query: ListTasks, read_model: ProjectReadModel) -> list[TaskView]:
    tasks = await read_model.list_tasks(query.owner_id, query.project_id)
    if tasks is None:
        raise ProjectNotFoundError(f"Project {query.project_id} was not found.")
    return tasks


async def get_task(query: GetTask, read_model: ProjectReadModel) -> TaskView:
    view = await read_model.get_task(query.owner_id, query.project_id, query.number)
    if view is not None:
        return view
    if not await read_model.project_exists(query.owner_id, query.project_id):
        raise ProjectNotFoundError(f"Project {query.project_id} was not found.")
    raise TaskNotFoundError(f"Task {query.number} was not found in project {query.project_id}.")
