"""Commands: what a caller asks the projects service to change. ``owner_id`` is the caller."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Literal
from uuid import UUID

from projects.application.project_of_owner import ProjectOfOwner, TaskOfOwner


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
class UpdateProject(ProjectOfOwner):
    name: str
    maximum_number_of_incomplete_tasks: int | Literal[Keep.CURRENT] | None = KEEP_CURRENT


class ArchiveProject(ProjectOfOwner):
    """Only once every task of it is completed."""


class UnarchiveProject(ProjectOfOwner):
    pass


class DeleteProject(ProjectOfOwner):
    """Only an archived project; a soft delete."""


@dataclass(frozen=True, slots=True)
class CreateTask(ProjectOfOwner):
    name: str


class CompleteTask(TaskOfOwner):
    pass


class IncompleteTask(TaskOfOwner):
    pass


@dataclass(frozen=True, slots=True)
class RecordTokenRevocation:
    """accounts ended every token of ``user_id`` issued at or before ``revoked_before``."""

    user_id: UUID
    revoked_before: datetime
