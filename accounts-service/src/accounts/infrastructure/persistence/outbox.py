"""Turns domain events into outbox rows: the integration event exactly as it will be published."""

from accounts.domain.events import (
    DomainEvent,
    UserAccountCreated,
    UserEmailChanged,
    UserTokensRevoked,
)
from chassis import OutboxEvents
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


USER_EVENTS = OutboxEvents(
    producer=ACCOUNTS_PRODUCER,
    contract=integration_event,
    aggregate=lambda event: (event.user_id, event.user_version),
)
