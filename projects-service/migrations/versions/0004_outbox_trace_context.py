"""outbox: the trace context of the transaction that wrote each row

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    # W3C traceparent/tracestate; the relay publishes each row under a span continuing it.
    # Nullable without a default: adding it rewrites nothing, and untraced rows keep null.
    op.add_column(
        "outbox",
        sa.Column("trace_context", postgresql.JSONB(), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("outbox", "trace_context", schema=SCHEMA)
