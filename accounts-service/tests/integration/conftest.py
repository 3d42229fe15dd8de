"""Real PostgreSQL: one throw-away database per test run, migrated with the real Alembic CLI."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app
from accounts.entrypoints.runtime import RUNTIME
from accounts.infrastructure.security.signing_key import SigningKey
from taskboard_testing import (
    ThrowawayDatabase,
    ThrowawayVhost,
    mark_integration,
    run_alembic,
    serving,
    started,
)

SERVICE_DIR = Path(__file__).parents[2]
TEST_KEY = SigningKey.generate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_integration(items, Path(__file__).parent)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with ThrowawayDatabase("accounts") as database:
        run_alembic(SERVICE_DIR, database.url, "upgrade", "head")
        yield database.url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with ThrowawayVhost("accounts") as vhost:
        yield vhost.url


@pytest.fixture(scope="session")
def settings(database_url: str, amqp_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        amqp_url=amqp_url,
        jwt_private_key=SecretStr(TEST_KEY.to_pem().decode()),
        signing_keys_dir=None,  # whatever the environment says: this one key
        bcrypt_rounds=4,  # the minimum: hashing speed is not under test here
        retry_delay_ms=200,
        max_delivery_attempts=3,
        # Far beyond any test deadline: an event that arrives in time was woken by NOTIFY.
        relay_poll_interval_seconds=60,
    )


@pytest.fixture(scope="session")
async def container(settings: Settings) -> AsyncIterator[Container]:
    """The service as it runs: consumers subscribed, relay and broker connection started."""
    container = bootstrap(settings)
    RUNTIME.subscribe(container)
    async with started(container):
        yield container


@pytest.fixture(autouse=True)
async def _empty_tables(container: Container) -> AsyncIterator[None]:
    yield
    async with container.platform.engine.begin() as connection:
        await connection.execute(
            text(
                "TRUNCATE accounts.users, accounts.outbox, accounts.inbox, accounts.user_projects, "
                "accounts.idempotency_keys, accounts.attempts"
            )
        )


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_app(container=container), "http://accounts") as client:
        yield client
