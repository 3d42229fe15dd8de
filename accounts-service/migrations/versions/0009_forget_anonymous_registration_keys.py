"""forget the registrations' idempotency keys kept before they were scoped to the address

Before, a registration's key was stored with caller '' and a fingerprint that was an unsalted
SHA-256 over a body holding the plaintext password: a fast hash to guess passwords against.
Such rows are deleted; the worst a client meets is that a repeat of a registration made before
the upgrade answers 409 (the address is taken) instead of the first 201.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM accounts.idempotency_keys WHERE caller = ''")


def downgrade() -> None:
    pass  # what was deleted is not brought back (and was not to be kept)
