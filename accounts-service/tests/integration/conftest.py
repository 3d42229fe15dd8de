"""Real PostgreSQL: one throw-away database per test run, migrated with the real Alembic CLI."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from accounts.bootstrap import Container, bootstrap
from accounts.config import Settings
from accounts.entrypoints.http.app import create_app
from accounts.entrypoints.runtime import RUNTIME
from accounts.infrastructure.security.signing_key import SigningKey
from taskboard_testing import ThrowawayVhost, mark_integration, migrated_database, running, serving
from taskboard_testing.tables import truncate

SERVICE_DIR = Path(__file__).parents[2]
TEST_KEY = SigningKey.generate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_integration(items, Path(__file__).parent)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with migrated_database("accounts", SERVICE_DIR) as url:
        yield url


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
    async with running(RUNTIME, bootstrap(settings)) as container:
        yield container


@pytest.fixture(autouse=True)
async def _empty_tables(container: Container) -> AsyncIterator[None]:
    yield
    await truncate(
        container.platform.engine,
        "accounts.users",
        "accounts.outbox",
        "accounts.inbox",
        "accounts.user_projects",
        "accounts.idempotency_keys",
        "accounts.attempts",
    )


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_app(container=container), "http://accounts") as client:
        yield client
