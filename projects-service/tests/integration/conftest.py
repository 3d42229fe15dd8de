"""Real PostgreSQL and RabbitMQ: one throw-away database (migrated with the real Alembic CLI)
and one throw-away vhost per test run. A key pair made by the test stands in for
accounts-service and serves the JWKS."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from projects.bootstrap import Container, bootstrap
from projects.config import Settings
from projects.entrypoints.http.app import create_app
from projects.entrypoints.runtime import RUNTIME
from projects.infrastructure.security.jwks import HttpJwksFetcher
from taskboard_testing import ThrowawayVhost, mark_integration, migrated_database, running, serving
from taskboard_testing.tables import truncate
from tests.stand_in_accounts import StandInAccounts

SERVICE_DIR = Path(__file__).parents[2]
JWKS_URL = "http://accounts.test/.well-known/jwks.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_integration(items, Path(__file__).parent)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with migrated_database("projects", SERVICE_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with ThrowawayVhost("projects") as vhost:
        yield vhost.url


@pytest.fixture(scope="session")
def accounts() -> StandInAccounts:
    return StandInAccounts()


@pytest.fixture(scope="session")
def settings(database_url: str, amqp_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        amqp_url=amqp_url,
        jwks_url=JWKS_URL,
        database_pool_size=10,
        retry_delay_ms=200,
        max_delivery_attempts=3,
        # Far beyond any test deadline: an event that arrives in time was woken by NOTIFY.
        relay_poll_interval_seconds=60,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
async def container(settings: Settings, accounts: StandInAccounts) -> AsyncIterator[Container]:
    """The service as it runs: consumers subscribed, relay and broker connection started."""
    fetcher = HttpJwksFetcher(settings.jwks_url, transport=accounts.transport())
    async with running(RUNTIME, bootstrap(settings, jwks_fetcher=fetcher)) as container:
        yield container


@pytest.fixture(autouse=True)
async def _empty_tables(container: Container) -> AsyncIterator[None]:
    yield
    await truncate(
        container.platform.engine,
        "projects.projects",
        "projects.tasks",
        "projects.outbox",
        "projects.inbox",
        "projects.idempotency_keys",
        "projects.revoked_tokens",
    )


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_app(container=container), "http://projects") as client:
        yield client


class User:
    """A caller with a valid token from the stand-in accounts-service."""

    def __init__(self, accounts: StandInAccounts) -> None:
        self.id: UUID = uuid4()
        self.headers = {"Authorization": f"Bearer {accounts.token(self.id)}"}


@pytest.fixture
def alice(accounts: StandInAccounts) -> User:
    return User(accounts)


@pytest.fixture
def bob(accounts: StandInAccounts) -> User:
    return User(accounts)
