"""Commands: what a caller asks the projects service to change. ``owner_id`` is the caller."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Literal
from uuid import UUID


class Keep(Enum):
    """Marks an optional field the caller left out: the current value stays."""

    CURRENT = "current"


KEEP_CURRENT = Keep.CURRENT


@dataclass(frozen=True, slots=True)
class CreateProject:
    owner_id: UUID
    name: str
    maximum_number_of_incomplete_tasks: int | None = None


@dataclass(frozen=True, slots=True)
class CreateStarterProject:
    owner_id: UUID


@dataclass(frozen=True, slots=True)
class UpdateProject:
    owner_id: UUID
    project_id: UUID
    name: str
    maximum_number_of_incomplete_tasks: int | Literal[Keep.CURRENT] | None = KEEP_CURRENT


@dataclass(frozen=True, slots=True)
class ArchiveProject:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class UnarchiveProject:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class DeleteProject:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class CreateTask:
    owner_id: UUID
    project_id: UUID
    name: str


@dataclass(frozen=True, slots=True)
class CompleteTask:
    owner_id: UUID
    project_id: UUID
    number: int


@dataclass(frozen=True, slots=True)
class IncompleteTask:
    owner_id: UUID
    project_id: UUID
    number: int


@dataclass(frozen=True, slots=True)
class RecordTokenRevocation:
    """accounts ended every token of ``user_id`` issued at or before ``revoked_before``."""

    user_id: UUID
    revoked_before: datetime
