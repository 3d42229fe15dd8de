"""The stack under test: ``GATEWAY_URL`` if given, else started here on free ports with its own
database and RabbitMQ vhost, and stopped afterwards."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import LocalStack

from taskboard_testing import ThrowawayDatabase, ThrowawayVhost

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack | None]:
    if os.environ.get("GATEWAY_URL"):
        yield None
        return
    with (
        ThrowawayDatabase("e2e") as database,
        ThrowawayVhost("e2e") as vhost,
        LocalStack(
            database_url=database.url,
            amqp_url=vhost.url,
            workdir=tmp_path_factory.mktemp("stack"),
            extra_env={"RETRY_DELAY_MS": "500", "RELAY_POLL_INTERVAL_SECONDS": "1"},
        ) as running,
    ):
        yield running


@pytest.fixture(scope="session")
def gateway_url(stack: LocalStack | None) -> str:
    return stack.gateway_url if stack is not None else os.environ["GATEWAY_URL"]


@pytest.fixture
async def api(gateway_url: str) -> AsyncIterator[TaskboardClient]:
    async with TaskboardClient(gateway_url) as client:
        yield client


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


async def new_user(api: TaskboardClient, label: str = "user") -> tuple[TaskboardClient, str]:
    """A registered, logged-in user: a client speaking for them, and their email."""
    email = unique_email(label)
    await api.register(email, PASSWORD)
    user = api.as_user("")
    await user.login(email, PASSWORD)
    return user, email


def logs_dir(stack: LocalStack | None) -> Path | None:
    return stack.workdir if stack is not None else None
