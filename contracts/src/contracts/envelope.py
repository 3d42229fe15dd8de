"""The one message shape every Taskboard integration event travels in.

What a consumer may rely on, and what not:

- **At least once.** The same message (same ``message_id``) can arrive more than once: dedupe on
  ``message_id`` in the same transaction as the effect.
- **No order.** Two events of one aggregate can arrive in either order: producers relay their
  outbox in pipelined batches, from several replicas at once. ``aggregate_version`` is the order:
  keep, per field you project, the version of the event that last set it, and let an event
  change a field only when it is newer for that field (an event that does not carry the field,
  such as ``ProjectArchived`` for a name, says nothing about it). A deletion is final.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Self, TypeVar, cast
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from contracts.event import IntegrationEvent

PayloadT = TypeVar("PayloadT", bound=IntegrationEvent)


def _pin_type_and_version(schema: JsonDict, model: type[Any]) -> None:
    """``Envelope[SomeEvent]``'s schema admits only that event's name and major version, so a
    snapshot catches a renamed event class and a validated message cannot claim another type."""
    args = model.__pydantic_generic_metadata__["args"]
    if len(args) != 1 or not hasattr(args[0], "event_type"):
        return
    event: type[IntegrationEvent] = args[0]
    properties = cast(dict[str, JsonDict], schema["properties"])
    properties["type"]["const"] = event.type_name()
    properties["version"]["const"] = event.major_version


class Envelope(BaseModel, Generic[PayloadT]):
    """Metadata a consumer needs to de-duplicate, order and trace an event, around its payload."""

    # Tolerant reader: fields a newer producer adds are ignored, so adding an optional field
    # never breaks a consumer that has not been redeployed yet.
    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_extra=_pin_type_and_version)

    message_id: UUID = Field(description="Unique per message; consumers de-duplicate on it.")
    type: str = Field(description="Event name, e.g. UserAccountCreated.")
    version: int = Field(ge=1, description="Major version of the payload schema.")
    occurred_at: datetime = Field(description="When the change happened at the producer (UTC).")
    producer: str = Field(description="Name of the service that emitted the event.")
    correlation_id: str = Field(description="Request or message id that caused this event.")
    aggregate_id: UUID = Field(description="Id of the aggregate that changed.")
    aggregate_version: int = Field(ge=1, description="Aggregate version after the change.")
    payload: PayloadT

    @model_validator(mode="after")
    def _type_and_version_name_the_payload(self) -> Self:
        expected = (self.payload.type_name(), self.payload.major_version)
        if (self.type, self.version) != expected:
            msg = f"type and version must be {expected} for a {type(self.payload).__name__}"
            raise ValueError(msg)
        return self

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
