"""wake the relay on outbox inserts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    # One notification per INSERT statement, delivered only if the transaction commits.
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{SCHEMA}_outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER outbox_notify AFTER INSERT ON {SCHEMA}.outbox
        FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.notify_outbox()
        """
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER outbox_notify ON {SCHEMA}.outbox")
    op.execute(f"DROP FUNCTION {SCHEMA}.notify_outbox()")
