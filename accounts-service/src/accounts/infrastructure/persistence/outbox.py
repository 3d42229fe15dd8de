"""Turns domain events into outbox rows: the integration event exactly as it will be published."""

from typing import Any
from uuid import uuid4

from accounts.domain.events import DomainEvent, UserAccountCreated, UserEmailChanged
from contracts import ACCOUNTS_PRODUCER, Envelope, IntegrationEvent
from contracts import UserAccountCreated as UserAccountCreatedV1
from contracts import UserEmailChanged as UserEmailChangedV1


def integration_event(event: DomainEvent) -> IntegrationEvent:
    """The public contract for a domain event; the domain never sees contracts."""
    match event:
        case UserAccountCreated():
            return UserAccountCreatedV1(user_id=event.user_id, email=event.email)
        case UserEmailChanged():
            return UserEmailChangedV1(
                user_id=event.user_id, old_email=event.old_email, new_email=event.new_email
            )
    raise TypeError(f"No integration event for {type(event).__name__}")


def outbox_row(event: DomainEvent, *, correlation_id: str) -> dict[str, Any]:
    payload = integration_event(event)
    envelope = Envelope.wrap(
        payload,
        message_id=uuid4(),
        occurred_at=event.occurred_at,
        producer=ACCOUNTS_PRODUCER,
        correlation_id=correlation_id,
        aggregate_id=event.user_id,
        aggregate_version=event.user_version,
    )
    return {
        "message_id": envelope.message_id,
        "message_type": envelope.type,
        "exchange": payload.exchange,
        "routing_key": payload.routing_key(),
        "body": envelope.model_dump(mode="json"),
        "correlation_id": correlation_id,
        "aggregate_id": envelope.aggregate_id,
        "aggregate_version": envelope.aggregate_version,
        "occurred_at": envelope.occurred_at,
    }
