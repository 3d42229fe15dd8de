"""Abstract ports the use cases need; infrastructure implements them, tests fake them."""

from projects.application.ports.project_read_model import (
    ProjectPage,
    ProjectReadModel,
    ProjectView,
    TaskView,
)
from projects.application.ports.project_repository import ProjectRepository
from projects.application.ports.token_revocations import TokenRevocations
from projects.application.ports.unit_of_work import UnitOfWork

__all__ = [
    "ProjectPage",
    "ProjectReadModel",
    "ProjectRepository",
    "ProjectView",
    "TaskView",
    "TokenRevocations",
    "UnitOfWork",
]
