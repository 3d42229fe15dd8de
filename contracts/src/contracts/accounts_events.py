"""Events published by accounts-service on the ``accounts.events`` exchange."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.event import IntegrationEvent
from contracts.names import ACCOUNTS_EXCHANGE


class UserAccountCreated(IntegrationEvent):
    """A user registered."""

    event_type: ClassVar[str] = "user.account_created"
    exchange: ClassVar[str] = ACCOUNTS_EXCHANGE

    user_id: UUID
    email: str = Field(description="Normalised email address of the new account.")


class UserEmailChanged(IntegrationEvent):
    """A user changed the email address they log in with."""

    event_type: ClassVar[str] = "user.email_changed"
    exchange: ClassVar[str] = ACCOUNTS_EXCHANGE

    user_id: UUID
    old_email: str
    new_email: str


class UserTokensRevoked(IntegrationEvent):
    """A user ended every access token issued to them until ``revoked_before`` (a logout or a
    new password): a service that checks tokens refuses those issued at or before it."""

    event_type: ClassVar[str] = "user.tokens_revoked"
    exchange: ClassVar[str] = ACCOUNTS_EXCHANGE

    user_id: UUID
    revoked_before: datetime = Field(
        description="Tokens whose issue time (their iat_us claim, else iat) is at or before "
        "this instant are refused; microsecond precision, with a time zone."
    )
