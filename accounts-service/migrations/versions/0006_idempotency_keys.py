"""idempotency_keys: the responses of POSTs made with an Idempotency-Key, kept until they expire

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "accounts"


def upgrade() -> None:
    # Written in the same transaction as the request's effect; the column set is the chassis's
    # (chassis.idempotency_keys), copied here so this history never changes with the code.
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caller", "key", name="pk_idempotency_keys"),
        schema=SCHEMA,
    )
    # The pruning of expired keys reads them in expiry order.
    op.create_index(
        "ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys", schema=SCHEMA)
    op.drop_table("idempotency_keys", schema=SCHEMA)
