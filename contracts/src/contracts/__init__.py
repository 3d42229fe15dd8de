"""Integration events shared by Taskboard services: the only code both services import."""

from contracts.accounts_events import UserAccountCreated, UserEmailChanged, UserTokensRevoked
from contracts.broker_permissions import BrokerPermissions, broker_permissions
from contracts.catalogue import ALL_EVENTS
from contracts.documents import load_asyncapi_document, load_snapshot
from contracts.envelope import Envelope
from contracts.event import IntegrationEvent
from contracts.examples import example, examples
from contracts.identity import ACCESS_TOKEN_DESCRIPTION
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
from contracts.topology import (
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
    CONSUMER_QUEUES,
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    PROJECTS_USER_TOKENS_REVOKED_QUEUE,
    ConsumerQueueNames,
)

__all__ = [
    "ACCESS_TOKEN_DESCRIPTION",
    "ACCOUNTS_EXCHANGE",
    "ACCOUNTS_PRODUCER",
    "ACCOUNTS_PROJECT_EVENTS_QUEUE",
    "ALL_EVENTS",
    "CONSUMER_QUEUES",
    "PROJECTS_EXCHANGE",
    "PROJECTS_PRODUCER",
    "PROJECTS_USER_ACCOUNT_CREATED_QUEUE",
    "PROJECTS_USER_TOKENS_REVOKED_QUEUE",
    "BrokerPermissions",
    "ConsumerQueueNames",
    "Envelope",
    "IntegrationEvent",
    "ProjectArchived",
    "ProjectCreated",
    "ProjectDeleted",
    "ProjectRenamed",
    "ProjectUnarchived",
    "UserAccountCreated",
    "UserEmailChanged",
    "UserTokensRevoked",
    "broker_permissions",
    "example",
    "examples",
    "load_asyncapi_document",
    "load_snapshot",
]
