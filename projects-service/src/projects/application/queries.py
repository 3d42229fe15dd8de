"""Queries: what a caller asks to see. ``owner_id`` is the caller; nobody sees others' data."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ListProjects:
    owner_id: UUID
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class GetProject:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class ListTasks:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class GetTask:
    owner_id: UUID
    project_id: UUID
    number: int
