"""the unpublished-outbox index in the relay's claim order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"
INDEX = "ix_outbox_unpublished"


def upgrade() -> None:
    # The relay claims the oldest unsent rows by (created_at, aggregate_version): with both in
    # the index, a claim reads the first rows in order instead of sorting every unsent one.
    _replace(["created_at", "aggregate_version"])


def downgrade() -> None:
    _replace(["created_at"])


def _replace(columns: list[str]) -> None:
    op.drop_index(INDEX, table_name="outbox", schema=SCHEMA)
    op.create_index(
        INDEX,
        "outbox",
        columns,
        schema=SCHEMA,
        postgresql_where=sa.text("published_at IS NULL"),
    )
