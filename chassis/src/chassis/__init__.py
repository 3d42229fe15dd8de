"""The Taskboard service chassis: how a service of this system talks to PostgreSQL, RabbitMQ
and HTTP. Nothing in it knows about users, projects or tasks. A service wires it in its
``bootstrap`` and entry points with the names below; nothing else is imported from it.

Each name is imported on first use (PEP 562), so a process loads only the parts it uses:
``<service>-worker --declare-topology`` no SQLAlchemy, the gateway only the telemetry."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chassis.container import ServiceContainer
    from chassis.correlation import correlation_id, current_correlation_id
    from chassis.cpu_pool import CpuPoolFullError, CpuWorkPool
    from chassis.http.client_address import Network, client_address, trusted_networks
    from chassis.http.creating import Created, CreateOnce, post_creating
    from chassis.http.disconnect import unless_disconnected
    from chassis.http.identity import CurrentUserId, current_user_id
    from chassis.http.media_types import form_body, json_body
    from chassis.http.problems import ErrorMap, Problem, ProblemError, problem, problem_responses
    from chassis.http.service_app import AppFactory, service_app, service_app_factory
    from chassis.messaging.consumer_queue import ConsumerQueue
    from chassis.messaging.messaging import Messaging
    from chassis.messaging.reliable_consumer import EffectHandler
    from chassis.messaging.topology import Topology
    from chassis.migrations import run_migrations
    from chassis.persistence.aggregate_mapping import map_aggregate
    from chassis.persistence.attempt_counter import AttemptCounter, ThrottlePolicy, attempt_table
    from chassis.persistence.constraints import violated_constraint
    from chassis.persistence.database_errors import database_unavailable
    from chassis.persistence.idempotency_keys import (
        IdempotencyStore,
        StoredResponse,
        idempotency_keys,
    )
    from chassis.persistence.message_tables import MessageTables, message_tables
    from chassis.persistence.outbox_rows import outbox_row
    from chassis.persistence.outbox_session import OutboxSession
    from chassis.persistence.outbox_unit_of_work import OutboxEvents, OutboxUnitOfWork
    from chassis.persistence.read_pool import ReadPool
    from chassis.persistence.seen_aggregates import SeenAggregates
    from chassis.platform import Platform, build_platform
    from chassis.process_logging import configure_logging
    from chassis.runtime import Consumer, ServiceRuntime
    from chassis.security.access_tokens import (
        AccessTokenVerifier,
        InvalidTokenError,
        KeysUnavailableError,
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
    from chassis.settings import BrokerSettings, ServiceSettings
    from chassis.start_up_objects import freeze_start_up_objects
    from chassis.telemetry.current_span import CurrentSpan
    from chassis.telemetry.telemetry import Telemetry, process_telemetry
    from chassis.telemetry.trace_context import context_from, current_trace_context
    from chassis.worker import run_worker

# Where each public name lives: the imports above are for type checkers only.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "chassis.container": ("ServiceContainer",),
    "chassis.correlation": ("correlation_id", "current_correlation_id"),
    "chassis.cpu_pool": ("CpuPoolFullError", "CpuWorkPool"),
    "chassis.http.client_address": ("Network", "client_address", "trusted_networks"),
    "chassis.http.creating": ("CreateOnce", "Created", "post_creating"),
    "chassis.http.disconnect": ("unless_disconnected",),
    "chassis.http.identity": ("CurrentUserId", "current_user_id"),
    "chassis.http.media_types": ("form_body", "json_body"),
    "chassis.http.problems": (
        "ErrorMap",
        "Problem",
        "ProblemError",
        "problem",
        "problem_responses",
    ),
    "chassis.http.service_app": ("AppFactory", "service_app", "service_app_factory"),
    "chassis.messaging.consumer_queue": ("ConsumerQueue",),
    "chassis.messaging.messaging": ("Messaging",),
    "chassis.messaging.reliable_consumer": ("EffectHandler",),
    "chassis.messaging.topology": ("Topology",),
    "chassis.migrations": ("run_migrations",),
    "chassis.persistence.aggregate_mapping": ("map_aggregate",),
    "chassis.persistence.attempt_counter": ("AttemptCounter", "ThrottlePolicy", "attempt_table"),
    "chassis.persistence.constraints": ("violated_constraint",),
    "chassis.persistence.database_errors": ("database_unavailable",),
    "chassis.persistence.idempotency_keys": (
        "IdempotencyStore",
        "StoredResponse",
        "idempotency_keys",
    ),
    "chassis.persistence.message_tables": ("MessageTables", "message_tables"),
    "chassis.persistence.outbox_rows": ("outbox_row",),
    "chassis.persistence.outbox_session": ("OutboxSession",),
    "chassis.persistence.outbox_unit_of_work": ("OutboxEvents", "OutboxUnitOfWork"),
    "chassis.persistence.read_pool": ("ReadPool",),
    "chassis.persistence.seen_aggregates": ("SeenAggregates",),
    "chassis.platform": ("Platform", "build_platform"),
    "chassis.process_logging": ("configure_logging",),
    "chassis.runtime": ("Consumer", "ServiceRuntime"),
    "chassis.security.access_tokens": (
        "AccessTokenVerifier",
        "InvalidTokenError",
        "KeysUnavailableError",
        "MissingTokenError",
        "PublicKeys",
        "RevokedTokenError",
    ),
    "chassis.security.revocations": (
        "ISSUED_AT_CLAIM",
        "PolledRevocations",
        "RecentRevocations",
        "Revocations",
    ),
    "chassis.settings": ("ServiceSettings", "BrokerSettings"),
    "chassis.start_up_objects": ("freeze_start_up_objects",),
    "chassis.telemetry.current_span": ("CurrentSpan",),
    "chassis.telemetry.telemetry": ("Telemetry", "process_telemetry"),
    "chassis.telemetry.trace_context": ("context_from", "current_trace_context"),
    "chassis.worker": ("run_worker",),
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = [
    "ISSUED_AT_CLAIM",
    "AccessTokenVerifier",
    "AppFactory",
    "AttemptCounter",
    "BrokerSettings",
    "Consumer",
    "ConsumerQueue",
    "CpuPoolFullError",
    "CpuWorkPool",
    "CreateOnce",
    "Created",
    "CurrentSpan",
    "CurrentUserId",
    "EffectHandler",
    "ErrorMap",
    "IdempotencyStore",
    "InvalidTokenError",
    "KeysUnavailableError",
    "MessageTables",
    "Messaging",
    "MissingTokenError",
    "Network",
    "OutboxEvents",
    "OutboxSession",
    "OutboxUnitOfWork",
    "Platform",
    "PolledRevocations",
    "Problem",
    "ProblemError",
    "PublicKeys",
    "ReadPool",
    "RecentRevocations",
    "Revocations",
    "RevokedTokenError",
    "SeenAggregates",
    "ServiceContainer",
    "ServiceRuntime",
    "ServiceSettings",
    "StoredResponse",
    "Telemetry",
    "ThrottlePolicy",
    "Topology",
    "attempt_table",
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
    "freeze_start_up_objects",
    "idempotency_keys",
    "json_body",
    "map_aggregate",
    "message_tables",
    "outbox_row",
    "post_creating",
    "problem",
    "problem_responses",
    "process_telemetry",
    "run_migrations",
    "run_worker",
    "service_app",
    "service_app_factory",
    "trusted_networks",
    "unless_disconnected",
    "violated_constraint",
]


def __getattr__(name: str) -> Any:
    """Import the module of a public name the first time it is asked for (PEP 562)."""
    try:
        module = _MODULE_OF[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
