"""Keeps ``accounts.user_projects`` in step with projects-service's project events."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.infrastructure.messaging.messaging import Messaging
from accounts.infrastructure.persistence.user_projects_projection import apply_project_change
from contracts import (
    PROJECTS_EXCHANGE,
    Envelope,
    IntegrationEvent,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)

CONSUMER_NAME = "accounts.user_projects_projection"
QUEUE_NAME = "accounts.project_events"
ROUTING_KEY = "project.*.v1"

EVENTS: dict[str, type[IntegrationEvent]] = {
    event.type_name(): event
    for event in (
        ProjectCreated,
        ProjectRenamed,
        ProjectArchived,
        ProjectUnarchived,
        ProjectDeleted,
    )
}


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
        queue=QUEUE_NAME,
        exchange=PROJECTS_EXCHANGE,
        routing_key=ROUTING_KEY,
        events=EVENTS,
        handle=project_event,
        description="Keeps the user_projects projection that /users/me lists.",
    )
