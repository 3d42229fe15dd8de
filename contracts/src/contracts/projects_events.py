"""Events published by projects-service on the ``projects.events`` exchange."""

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.event import IntegrationEvent
from contracts.names import PROJECTS_EXCHANGE


class _ProjectEvent(IntegrationEvent):
    exchange: ClassVar[str] = PROJECTS_EXCHANGE

    project_id: UUID
    owner_id: UUID = Field(description="Id of the user who owns the project.")


class ProjectCreated(_ProjectEvent):
    """A project was created (by its owner, or as a new user's starter project)."""

    event_type: ClassVar[str] = "project.created"

    name: str
    maximum_number_of_incomplete_tasks: int | None = None


class ProjectRenamed(_ProjectEvent):
    """A project got a new name."""

    event_type: ClassVar[str] = "project.renamed"

    name: str


class ProjectArchived(_ProjectEvent):
    """A project was archived."""

    event_type: ClassVar[str] = "project.archived"


class ProjectUnarchived(_ProjectEvent):
    """An archived project was taken out of the archive."""

    event_type: ClassVar[str] = "project.unarchived"


class ProjectDeleted(_ProjectEvent):
    """A project was deleted; it no longer exists for anyone."""

    event_type: ClassVar[str] = "project.deleted"
