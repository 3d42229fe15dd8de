"""Core tables of schema ``projects``; migrations create them, never ``create_all``."""

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
)

from chassis import idempotency_keys as idempotency_keys_table
from chassis import message_tables

SCHEMA = "projects"
metadata = MetaData(schema=SCHEMA)

# Names are stored as given after trimming; 4..32 characters is the domain's rule, the column is
# wider so a future rule change needs no migration.
NAME_LENGTH = 100

PROJECTS_PRIMARY_KEY = "projects_pkey"  # PostgreSQL's default name (migration 0001)
projects = Table(
    "projects",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("maximum_number_of_incomplete_tasks", Integer, nullable=True),
    Column("next_task_number", Integer, nullable=False),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
# Behind the project list and its total: one owner's live projects, oldest first.
Index(
    "ix_projects_owner_live",
    projects.c.owner_id,
    projects.c.created_at,
    projects.c.id,
    postgresql_where=projects.c.deleted_at.is_(None),
)

TASKS_PRIMARY_KEY = "pk_tasks"
tasks = Table(
    "tasks",
    metadata,
    Column(
        "project_id",
        Uuid,
        ForeignKey(projects.c.id, ondelete="CASCADE", name="fk_tasks_project"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    # The primary key serves the task list, the task detail and the per-project counts.
    PrimaryKeyConstraint("project_id", "number", name=TASKS_PRIMARY_KEY),
)

# Per user, the instant at or before which accounts ended their tokens (UserTokensRevoked).
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("revoked_before", DateTime(timezone=True), nullable=False, index=True),
)

# The outbox and inbox every service keeps (columns owned by the chassis; migrations 0001-0003).
messages = message_tables(metadata)
outbox, inbox = messages.outbox, messages.inbox
# The responses of the POSTs made with an Idempotency-Key (columns owned by the chassis).
idempotency_keys = idempotency_keys_table(metadata)
