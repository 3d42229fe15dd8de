"""Core tables of schema ``accounts``; Alembic migrations are written to match them."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
)

from chassis import attempt_table, message_tables
from chassis import idempotency_keys as idempotency_keys_table

SCHEMA = "accounts"
metadata = MetaData(schema=SCHEMA)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Tokens issued at or before this instant are refused (a logout, a new password).
    Column("tokens_revoked_before", DateTime(timezone=True), nullable=True),
)
Index(
    "ix_users_tokens_revoked_before",
    users.c.tokens_revoked_before,
    postgresql_where=users.c.tokens_revoked_before.is_not(None),
)
# Unique by EmailAddress.key (lower case): the database guards the rule against racing twins.
USERS_EMAIL_UNIQUE = "uq_users_email_lower"
Index(USERS_EMAIL_UNIQUE, func.lower(users.c.email), unique=True)

# Attempts counted per (kind, account or client address), shared by every replica (columns
# owned by the chassis).
attempts = attempt_table(metadata)

# The outbox and inbox every service keeps (columns owned by the chassis; migrations 0001-0003).
messages = message_tables(metadata)
outbox, inbox = messages.outbox, messages.inbox
# The responses of the POSTs made with an Idempotency-Key (columns owned by the chassis).
idempotency_keys = idempotency_keys_table(metadata)

user_projects = Table(
    "user_projects",
    metadata,
    Column("project_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False, index=True),
    Column("name", String(100), nullable=True),  # null until an event carrying it arrives
    Column("name_version", Integer, nullable=True),  # the version of the event that set it
    Column("project_version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
