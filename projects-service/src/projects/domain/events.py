"""Domain events raised by the Project aggregate; each carries the version it produced."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DomainEvent:
    project_id: UUID
    owner_id: UUID
    project_version: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectCreated(DomainEvent):
    name: str
    maximum_number_of_incomplete_tasks: int | None


@dataclass(frozen=True, slots=True)
class ProjectRenamed(DomainEvent):
    name: str


@dataclass(frozen=True, slots=True)
class ProjectArchived(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class ProjectUnarchived(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class ProjectDeleted(DomainEvent):
    pass
