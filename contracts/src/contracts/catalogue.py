"""Every integration event the system publishes, in one tuple: the catalogue the tools walk."""

from contracts.accounts_events import UserAccountCreated, UserEmailChanged, UserTokensRevoked
from contracts.event import IntegrationEvent
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
    UserTokensRevoked,
    ProjectCreated,
    ProjectRenamed,
    ProjectArchived,
    ProjectUnarchived,
    ProjectDeleted,
)
