"""Imperative mapping: the domain classes stay plain, SQLAlchemy learns them from here."""

from sqlalchemy.orm import composite, registry

from accounts.domain.email_address import EmailAddress
from accounts.domain.user import User
from accounts.infrastructure.persistence.tables import users
from chassis import map_aggregate

mapper_registry = registry()


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    if not mapper_registry.mappers:
        # The column is mapped under a private name; the domain sees only the value object.
        email = {"_email": users.c.email, "email": composite(EmailAddress, users.c.email)}
        map_aggregate(mapper_registry, User, users, properties=email)
