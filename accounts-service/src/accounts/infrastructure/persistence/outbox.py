"""Turns domain events into outbox rows: the integration event exactly as it will be published."""

from typing import Any

from accounts.domain.events import (
    DomainEvent,
    UserAccountCreated,
    UserEmailChanged,
    UserTokensRevoked,
)
from chassis import outbox_row
from contracts import ACCOUNTS_PRODUCER, IntegrationEvent
from contracts import UserAccountCreated as UserAccountCreatedV1
from contracts import UserEmailChanged as UserEmailChangedV1
from contracts import UserTokensRevoked as UserTokensRevokedV1


def integration_event(event: DomainEvent) -> IntegrationEvent:
    """The public contract for a domain event; the domain never sees contracts."""
    match event:
        case UserAccountCreated():
            return UserAccountCreatedV1(user_id=event.user_id, email=event.email)
        case UserEmailChanged():
            return UserEmailChangedV1(
                user_id=event.user_id, old_email=event.old_email, new_email=event.new_email
            )
        case UserTokensRevoked():
            return UserTokensRevokedV1(user_id=event.user_id, revoked_before=event.revoked_before)
    raise TypeError(f"No integration event for {type(event).__name__}")


def user_outbox_row(event: DomainEvent, *, correlation_id: str) -> dict[str, Any]:
    return outbox_row(
        integration_event(event),
        producer=ACCOUNTS_PRODUCER,
        aggregate_id=event.user_id,
        aggregate_version=event.user_version,
        occurred_at=event.occurred_at,
        correlation_id=correlation_id,
    )
