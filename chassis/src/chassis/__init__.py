"""The Taskboard service chassis: how a service of this system talks to PostgreSQL, RabbitMQ
and HTTP. Nothing in it knows about users, projects or tasks. A service wires it in its
``bootstrap`` and entry points with the names below; nothing else is imported from it."""

from chassis.container import ServiceContainer
from chassis.correlation import correlation_id, current_correlation_id
from chassis.http.client_address import Network, client_address, trusted_networks
from chassis.http.disconnect import unless_disconnected
from chassis.http.idempotency import IdempotencyKey, idempotent
from chassis.http.identity import CurrentUserId, current_user_id
from chassis.http.media_types import form_body, json_body
from chassis.http.problems import ErrorMap, Problem, ProblemError, problem, problem_responses
from chassis.http.service_app import service_app
from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.messaging import Messaging
from chassis.messaging.reliable_consumer import EffectHandler
from chassis.migrations import run_migrations
from chassis.persistence.constraints import violated_constraint
from chassis.persistence.database_errors import database_unavailable
from chassis.persistence.idempotency_keys import IdempotencyStore, idempotency_keys
from chassis.persistence.message_tables import MessageTables, message_tables
from chassis.persistence.outbox_rows import outbox_row
from chassis.persistence.outbox_session import OutboxSession
from chassis.persistence.read_pool import ReadPool
from chassis.platform import Platform, build_platform
from chassis.process_logging import configure_logging
from chassis.security.access_tokens import (
    AccessTokenVerifier,
    InvalidTokenError,
    MissingTokenError,
    PublicKeys,
    RevokedTokenError,
)
from chassis.security.revocations import (
    ISSUED_AT_CLAIM,
    PolledRevocations,
    RecentRevocations,
    Revocations,
)
from chassis.settings import ServiceSettings
from chassis.telemetry.telemetry import Telemetry, process_telemetry
from chassis.telemetry.trace_context import context_from, current_trace_context
from chassis.worker import run_worker

__all__ = [
    "ISSUED_AT_CLAIM",
    "AccessTokenVerifier",
    "ConsumerQueue",
    "CurrentUserId",
    "EffectHandler",
    "ErrorMap",
    "IdempotencyKey",
    "IdempotencyStore",
    "InvalidTokenError",
    "MessageTables",
    "Messaging",
    "MissingTokenError",
    "Network",
    "OutboxSession",
    "Platform",
    "PolledRevocations",
    "Problem",
    "ProblemError",
    "PublicKeys",
    "ReadPool",
    "RecentRevocations",
    "Revocations",
    "RevokedTokenError",
    "ServiceContainer",
    "ServiceSettings",
    "Telemetry",
    "build_platform",
    "client_address",
    "configure_logging",
    "context_from",
    "correlation_id",
    "current_correlation_id",
    "current_trace_context",
    "current_user_id",
    "database_unavailable",
    "form_body",
    "idempotency_keys",
    "idempotent",
    "json_body",
    "message_tables",
    "outbox_row",
    "problem",
    "problem_responses",
    "process_telemetry",
    "run_migrations",
    "run_worker",
    "service_app",
    "trusted_networks",
    "unless_disconnected",
    "violated_constraint",
]
