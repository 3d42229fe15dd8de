"""users.tokens_revoked_before: the instant before which a user's tokens are refused

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "accounts"
INDEX = "ix_users_tokens_revoked_before"


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("tokens_revoked_before", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    # Every replica reloads the recent revocations once a second: a small partial index.
    op.create_index(
        INDEX,
        "users",
        ["tokens_revoked_before"],
        schema=SCHEMA,
        postgresql_where=sa.text("tokens_revoked_before IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="users", schema=SCHEMA)
    op.drop_column("users", "tokens_revoked_before", schema=SCHEMA)
