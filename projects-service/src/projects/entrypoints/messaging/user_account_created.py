"""Gives each new user of accounts-service their starter project, exactly once."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import EffectHandler
from contracts import PROJECTS_USER_ACCOUNT_CREATED_QUEUE, Envelope, UserAccountCreated
from projects.application.commands import CreateStarterProject
from projects.application.project_handlers import create_starter_project
from projects.bootstrap import Container

CONSUMER_NAME = "projects.starter_project"


def handler(container: Container) -> EffectHandler:
    """The effect of one UserAccountCreated, in the consumer's transaction on ``connection``."""

    async def on_user_account_created(envelope: Envelope[Any], connection: AsyncConnection) -> None:
        event: UserAccountCreated = envelope.payload
        # The use case runs in the consumer's transaction, next to the inbox row: the project,
        # its tasks, its ProjectCreated outbox row and the inbox row commit together or not at
        # all. A user who already has a starter project (another message for the same account)
        # gets nothing more; the message still counts as applied.
        await create_starter_project(
            CreateStarterProject(owner_id=event.user_id), container.uow_joining(connection)
        )

    return on_user_account_created


def subscribe(container: Container) -> None:
    container.platform.messaging.consume(
        name=CONSUMER_NAME,
        queue=PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
        handle=handler(container),
        description="Creates each new user's starter project.",
    )
