"""user_projects: the version of the event that set the name, apart from the project's version

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "accounts"


def upgrade() -> None:
    # Nameless events (archive, unarchive, delete) raise project_version too, so comparing a
    # rename with project_version let an archive that overtook it keep the older name forever.
    op.add_column(
        "user_projects", sa.Column("name_version", sa.Integer(), nullable=True), schema=SCHEMA
    )
    # A name held today came from an event no newer than the row's version: the best bound known.
    op.execute(
        f"UPDATE {SCHEMA}.user_projects SET name_version = project_version "  # noqa: S608
        "WHERE name IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("user_projects", "name_version", schema=SCHEMA)
