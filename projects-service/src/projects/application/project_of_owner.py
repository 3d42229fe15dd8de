"""What every command and query about one project names: the project, and the caller, who must
be its owner (anyone else's project is simply not there for them). A command or query that
adds no field of its own is a plain subclass: the type alone says what is asked."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ProjectOfOwner:
    owner_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class TaskOfOwner(ProjectOfOwner):
    number: int
