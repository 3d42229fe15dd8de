"""The outbox and inbox tables every service keeps in its own schema.

The columns are the relay's and the reliable consumer's contract with the database; each
service's own Alembic history creates them (its migrations never import this module)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class MessageTables:
    """A service's outbox, its inbox, and the NOTIFY channel its outbox trigger signals."""

    outbox: Table
    inbox: Table
    channel: str


def message_tables(metadata: MetaData) -> MessageTables:
    """Declare ``outbox`` and ``inbox`` on ``metadata`` (whose schema names the service)."""
    schema = metadata.schema
    if not schema:
        raise ValueError("The message tables live in the service's own schema: set one.")
    outbox = Table(
        "outbox",
        metadata,
        Column("message_id", Uuid, primary_key=True),
        Column("message_type", String(100), nullable=False),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", JSONB, nullable=False),
        Column("correlation_id", String(100), nullable=False),
        Column("aggregate_id", Uuid, nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        # W3C trace context (traceparent, tracestate) of the transaction that wrote the row;
        # the relay continues it. Null when that transaction was not traced.
        Column("trace_context", JSONB, nullable=True),
    )
    # The relay's claim order: a claim reads the first rows of this index, no sort.
    Index(
        "ix_outbox_unpublished",
        outbox.c.created_at,
        outbox.c.aggregate_version,
        postgresql_where=outbox.c.published_at.is_(None),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("message_id", Uuid, nullable=False),
        Column("message_type", String(100), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "message_id", name="pk_inbox"),
    )
    return MessageTables(outbox=outbox, inbox=inbox, channel=f"{schema}_outbox")
