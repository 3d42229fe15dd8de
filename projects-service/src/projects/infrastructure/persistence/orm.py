"""Imperative mapping: the domain classes stay plain, SQLAlchemy learns them from here."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import composite, registry, relationship

from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project
from projects.domain.task import Task
from projects.infrastructure.persistence.tables import projects, tasks

mapper_registry = registry()


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(
        Task,
        tasks,
        # The column is mapped under a private name; the domain sees only the value object.
        properties={"_name": tasks.c.name, "name": composite(TaskName, tasks.c.name)},
    )
    mapper_registry.map_imperatively(
        Project,
        projects,
        properties={
            "_name": projects.c.name,
            "name": composite(ProjectName, projects.c.name),
            "_tasks": relationship(
                Task,
                order_by=tasks.c.number,
                cascade="all, delete-orphan",
                # Never loaded with the project, and never lazily (that raises): the repository
                # loads the counts and the one task a change needs. Tasks the domain appends
                # are inserted on flush.
                lazy="raise",
            ),
        },
        # The domain bumps ``version`` on every change (task changes included); SQLAlchemy checks
        # the old value in UPDATE ... WHERE, so a concurrent change is caught, not overwritten.
        version_id_col=projects.c.version,
        version_id_generator=False,
    )
    event.listen(Project, "load", _init_transient_state)


def _init_transient_state(project: Project, _context: Any) -> None:
    # Loading bypasses __init__, so attributes that are not columns must be set here.
    project.events = []
