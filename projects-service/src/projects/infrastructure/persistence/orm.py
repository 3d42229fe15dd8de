"""Imperative mapping: the domain classes stay plain, SQLAlchemy learns them from here."""

from sqlalchemy.orm import composite, registry, relationship

from chassis import map_aggregate
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
    # Every change bumps the project's version, task changes included.
    map_aggregate(
        mapper_registry,
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
    )
