"""Imperative mapping: the domain classes stay plain, SQLAlchemy learns them from here."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import composite, registry

from accounts.domain.email_address import EmailAddress
from accounts.domain.user import User
from accounts.infrastructure.persistence.tables import users

mapper_registry = registry()


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(
        User,
        users,
        # The column is mapped under a private name; the domain sees only the value object.
        properties={"_email": users.c.email, "email": composite(EmailAddress, users.c.email)},
        # The domain bumps ``version``; SQLAlchemy checks the old value in UPDATE ... WHERE,
        # so a concurrent change of the same user is caught instead of overwritten.
        version_id_col=users.c.version,
        version_id_generator=False,
    )
    event.listen(User, "load", _init_transient_state)


def _init_transient_state(user: User, _context: Any) -> None:
    # Loading bypasses __init__, so attributes that are not columns must be set here.
    user.events = []
