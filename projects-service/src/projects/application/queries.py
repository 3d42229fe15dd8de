"""Queries: what a caller asks to see. ``owner_id`` is the caller; nobody sees others' data."""

from dataclasses import dataclass
from uuid import UUID

from projects.application.project_of_owner import ProjectOfOwner, TaskOfOwner


@dataclass(frozen=True, slots=True)
class ListProjects:
    owner_id: UUID
    limit: int = 20
    offset: int = 0


class GetProject(ProjectOfOwner):
    pass


class ListTasks(ProjectOfOwner):
    pass


class GetTask(TaskOfOwner):
    pass
