"""Gives each new user of accounts-service their starter project, exactly once."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Consumer
from contracts import PROJECTS_USER_ACCOUNT_CREATED_QUEUE, Envelope, UserAccountCreated
from projects.application.commands import CreateStarterProject
from projects.application.project_handlers import create_starter_project
from projects.bootstrap import Container


async def on_user_account_created(
    container: Container, envelope: Envelope[Any], connection: AsyncConnection
) -> None:
    event: UserAccountCreated = envelope.payload
    # The use case runs in the consumer's transaction, next to the inbox row: the project, its
    # tasks, its ProjectCreated outbox row and the inbox row commit together or not at all. A
    # user who already has a starter project (another message for the same account) gets
    # nothing more; the message still counts as applied.
    await create_starter_project(
        CreateStarterProject(owner_id=event.user_id), container.uow_joining(connection)
    )


CONSUMER = Consumer(
    name="projects.starter_project",
    queue=PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    apply=on_user_account_created,
    description="Creates each new user's starter project.",
)
