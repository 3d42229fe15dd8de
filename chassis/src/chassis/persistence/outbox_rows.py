"""An integration event as the outbox row the relay will publish, exactly as it will go out."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from contracts import Envelope, IntegrationEvent


def outbox_row(
    payload: IntegrationEvent,
    *,
    producer: str,
    aggregate_id: UUID,
    aggregate_version: int,
    occurred_at: datetime,
    correlation_id: str,
) -> dict[str, Any]:
    """The row for ``payload``: its envelope (a fresh message id) and the routing it needs."""
    envelope = Envelope.wrap(
        payload,
        message_id=uuid4(),
        occurred_at=occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
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
