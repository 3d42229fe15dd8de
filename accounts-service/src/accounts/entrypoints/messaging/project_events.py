"""Keeps the ``user_projects`` projection that ``/users/me`` lists in step with projects-service."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.application.commands import RecordProjectChange
from accounts.application.projection_handlers import record_project_change
from accounts.bootstrap import Container
from chassis import Consumer
from contracts import (
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
    Envelope,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
)


def change_of(envelope: Envelope[Any]) -> RecordProjectChange:
    """What a project event says about its project, at the version the envelope carries."""
    event = envelope.payload
    return RecordProjectChange(
        project_id=event.project_id,
        owner_id=event.owner_id,
        version=envelope.aggregate_version,
        name=event.name if isinstance(event, ProjectCreated | ProjectRenamed) else None,
        deleted=isinstance(event, ProjectDeleted),
    )


async def on_project_event(
    container: Container, envelope: Envelope[Any], connection: AsyncConnection
) -> None:
    await record_project_change(change_of(envelope), container.user_projects(connection))


CONSUMER = Consumer(
    name="accounts.user_projects_projection",
    queue=ACCOUNTS_PROJECT_EVENTS_QUEUE,
    apply=on_project_event,
    description="Keeps the user_projects projection that /users/me lists.",
)
