"""revoked_tokens: per user, the instant before which their access tokens are refused

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("revoked_before", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_projects_revoked_tokens_revoked_before",
        "revoked_tokens",
        ["revoked_before"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("revoked_tokens", schema=SCHEMA)
