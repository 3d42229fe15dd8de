"""Integration events shared by Taskboard services: the only code both services import."""

from contracts.accounts_events import UserAccountCreated, UserEmailChanged
from contracts.envelope import Envelope
from contracts.event import IntegrationEvent
from contracts.names import (
    ACCOUNTS_EXCHANGE,
    ACCOUNTS_PRODUCER,
    PROJECTS_EXCHANGE,
    PROJECTS_PRODUCER,
)
from contracts.projects_events import (
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)

ALL_EVENTS: tuple[type[IntegrationEvent], ...] = (
    UserAccountCreated,
    UserEmailChanged,
    ProjectCreated,
    ProjectRenamed,
    ProjectArchived,
    ProjectUnarchived,
    ProjectDeleted,
)

__all__ = [
    "ACCOUNTS_EXCHANGE",
    "ACCOUNTS_PRODUCER",
    "ALL_EVENTS",
    "PROJECTS_EXCHANGE",
    "PROJECTS_PRODUCER",
    "Envelope",
    "IntegrationEvent",
    "ProjectArchived",
    "ProjectCreated",
    "ProjectDeleted",
    "ProjectRenamed",
    "ProjectUnarchived",
    "UserAccountCreated",
    "UserEmailChanged",
]
