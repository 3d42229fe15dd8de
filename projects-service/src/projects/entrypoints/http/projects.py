"""``/api/projects``: the caller's projects. Another user's project answers 404."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Created, CreateOnce, CurrentUserId, current_user_id, json_body, post_creating
from projects.application.commands import (
    KEEP_CURRENT,
    ArchiveProject,
    CreateProject,
    DeleteProject,
    UnarchiveProject,
    UpdateProject,
)
from projects.application.ports import ProjectView
from projects.application.project_handlers import (
    archive_project,
    create_project,
    delete_project,
    unarchive_project,
    update_project,
)
from projects.application.queries import GetProject, ListProjects
from projects.application.query_handlers import get_project, list_projects
from projects.entrypoints.http.dependencies import INT4_MAX, ContainerDep, ProjectId
from projects.entrypoints.http.responses import READ, WRITE, project_location
from projects.entrypoints.http.schemas import (
    CreateProjectBody,
    ProjectListOut,
    ProjectOut,
    UpdateProjectBody,
)

# Authentication first, for every route: a caller without a valid token learns nothing else.
router = APIRouter(
    prefix="/api/projects", tags=["projects"], dependencies=[Depends(current_user_id)]
)


@post_creating(router, "", response_model=ProjectOut, responses=WRITE)
async def create(
    body: CreateProjectBody, user_id: CurrentUserId, container: ContainerDep, once: CreateOnce
) -> Response:
    async def created(connection: AsyncConnection | None) -> Created:
        project = await create_project(
            CreateProject(
                owner_id=user_id,
                name=body.name,
                maximum_number_of_incomplete_tasks=body.maximum_number_of_incomplete_tasks,
            ),
            container.uow_in(connection),
        )
        return ProjectOut.of(ProjectView.of(project)), project_location(project.id)

    return await once(caller=str(user_id), create=created)


@router.get("", response_model=ProjectListOut, responses=READ)
async def list_(
    user_id: CurrentUserId,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=INT4_MAX, description="Projects to skip.")] = 0,
) -> ProjectListOut:
    page = await list_projects(
        ListProjects(owner_id=user_id, limit=limit, offset=offset), container.read_model
    )
    return ProjectListOut.of(page)


@router.get("/{project_id}", response_model=ProjectOut, responses=READ)
async def detail(
    project_id: ProjectId, user_id: CurrentUserId, container: ContainerDep
) -> ProjectOut:
    view = await get_project(
        GetProject(owner_id=user_id, project_id=project_id), container.read_model
    )
    return ProjectOut.of(view)


@router.put(
    "/{project_id}", response_model=ProjectOut, dependencies=[Depends(json_body)], responses=WRITE
)
async def update(
    project_id: ProjectId, body: UpdateProjectBody, user_id: CurrentUserId, container: ContainerDep
) -> ProjectOut:
    limit_given = "maximum_number_of_incomplete_tasks" in body.model_fields_set
    project = await update_project(
        UpdateProject(
            owner_id=user_id,
            project_id=project_id,
            name=body.name,
            maximum_number_of_incomplete_tasks=(
                body.maximum_number_of_incomplete_tasks if limit_given else KEEP_CURRENT
            ),
        ),
        container.uow(),
    )
    return ProjectOut.of(ProjectView.of(project))


@router.put("/{project_id}/archive", response_model=ProjectOut, responses=WRITE)
async def archive(
    project_id: ProjectId, user_id: CurrentUserId, container: ContainerDep
) -> ProjectOut:
    """409 while any task is incomplete; archiving an archived project changes nothing."""
    project = await archive_project(ArchiveProject(user_id, project_id), container.uow())
    return ProjectOut.of(ProjectView.of(project))


@router.put("/{project_id}/unarchive", response_model=ProjectOut, responses=WRITE)
async def unarchive(
    project_id: ProjectId, user_id: CurrentUserId, container: ContainerDep
) -> ProjectOut:
    project = await unarchive_project(UnarchiveProject(user_id, project_id), container.uow())
    return ProjectOut.of(ProjectView.of(project))


@router.delete("/{project_id}", status_code=204, responses=WRITE)
async def delete(
    project_id: ProjectId, user_id: CurrentUserId, container: ContainerDep
) -> Response:
    """409 unless archived; afterwards the project answers 404 everywhere."""
    await delete_project(DeleteProject(user_id, project_id), container.uow())
    return Response(status_code=204)
