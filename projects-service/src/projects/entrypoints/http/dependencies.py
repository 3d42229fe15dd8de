"""FastAPI dependencies: the container and the path parameters (the caller's identity is the
chassis's ``CurrentUserId``).

``async def``: FastAPI runs a plain ``def`` dependency on its thread pool, a hand-off that cost
more than everything else these do, on every request."""

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Request

from projects.bootstrap import Container

# Task numbers and limits are stored as PostgreSQL integer (int4).
INT4_MAX = 2**31 - 1


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
ProjectId = Annotated[UUID, Path(description="The project's id (a UUID).")]
TaskNumber = Annotated[
    int, Path(ge=1, le=INT4_MAX, description="The task's number within its project (1, 2, 3…).")
]
