"""Turns domain events into outbox rows: the integration event exactly as it will be published."""

from chassis import OutboxEvents
from contracts import PROJECTS_PRODUCER, IntegrationEvent
from contracts import ProjectArchived as ProjectArchivedV1
from contracts import ProjectCreated as ProjectCreatedV1
from contracts import ProjectDeleted as ProjectDeletedV1
from contracts import ProjectRenamed as ProjectRenamedV1
from contracts import ProjectUnarchived as ProjectUnarchivedV1
from projects.domain.events import (
    DomainEvent,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)


def integration_event(event: DomainEvent) -> IntegrationEvent:
    """The public contract for a domain event; the domain never sees contracts."""
    ids = {"project_id": event.project_id, "owner_id": event.owner_id}
    match event:
        case ProjectCreated():
            return ProjectCreatedV1(
                **ids,
                name=event.name,
                maximum_number_of_incomplete_tasks=event.maximum_number_of_incomplete_tasks,
            )
        case ProjectRenamed():
            return ProjectRenamedV1(**ids, name=event.name)
        case ProjectArchived():
            return ProjectArchivedV1(**ids)
        case ProjectUnarchived():
            return ProjectUnarchivedV1(**ids)
        case ProjectDeleted():
            return ProjectDeletedV1(**ids)
    raise TypeError(f"No integration event for {type(event).__name__}")


PROJECT_EVENTS = OutboxEvents(
    producer=PROJECTS_PRODUCER,
    contract=integration_event,
    aggregate=lambda event: (event.project_id, event.project_version),
)
