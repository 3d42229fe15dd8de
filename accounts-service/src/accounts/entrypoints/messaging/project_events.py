"""Keeps ``accounts.user_projects`` in step with projects-service's project events."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.infrastructure.messaging.messaging import Messaging
from accounts.infrastructure.persistence.user_projects_projection import apply_project_change
from contracts import (
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
    Envelope,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
)

CONSUMER_NAME = "accounts.user_projects_projection"


async def project_event(envelope: Envelope[Any], connection: AsyncConnection) -> None:
    event = envelope.payload
    name = event.name if isinstance(event, ProjectCreated | ProjectRenamed) else None
    await apply_project_change(
        connection,
        project_id=event.project_id,
        owner_id=event.owner_id,
        version=envelope.aggregate_version,
        name=name,
        deleted=isinstance(event, ProjectDeleted),
    )


def subscribe(messaging: Messaging) -> None:
    messaging.consume(
        name=CONSUMER_NAME,
        queue=ACCOUNTS_PROJECT_EVENTS_QUEUE,
        handle=project_event,
        description="Keeps the user_projects projection that /users/me lists.",
    )
