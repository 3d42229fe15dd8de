"""The one message shape every Taskboard integration event travels in."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.event import IntegrationEvent

PayloadT = TypeVar("PayloadT", bound=IntegrationEvent)


class Envelope(BaseModel, Generic[PayloadT]):
    """Metadata a consumer needs to de-duplicate, order and trace an event, around its payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: UUID = Field(description="Unique per message; consumers de-duplicate on it.")
    type: str = Field(description="Event name, e.g. UserAccountCreated.")
    version: int = Field(ge=1, description="Major version of the payload schema.")
    occurred_at: datetime = Field(description="When the change happened at the producer (UTC).")
    producer: str = Field(description="Name of the service that emitted the event.")
    correlation_id: str = Field(description="Request or message id that caused this event.")
    aggregate_id: UUID = Field(description="Id of the aggregate that changed.")
    aggregate_version: int = Field(ge=1, description="Aggregate version after the change.")
    payload: PayloadT

    @classmethod
    def wrap(
        cls,
        payload: PayloadT,
        *,
        message_id: UUID,
        occurred_at: datetime,
        producer: str,
        correlation_id: str,
        aggregate_id: UUID,
        aggregate_version: int,
    ) -> Envelope[PayloadT]:
        """Envelope a payload, taking ``type`` and ``version`` from its event class."""
        envelope_type: type[Envelope[PayloadT]] = Envelope[type(payload)]  # type: ignore[misc,assignment]
        return envelope_type(
            message_id=message_id,
            type=payload.type_name(),
            version=payload.major_version,
            occurred_at=occurred_at,
            producer=producer,
            correlation_id=correlation_id,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            payload=payload,
        )
