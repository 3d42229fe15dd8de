"""Real PostgreSQL and RabbitMQ for the chassis's own tests: a throw-away database holding a
schema of the chassis's own with its message tables, and a throw-away vhost."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis import MessageTables, idempotency_keys, message_tables
from chassis.persistence.database import make_engine
from taskboard_testing import ThrowawayDatabase, ThrowawayVhost, mark_integration

SCHEMA = "chassis_test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_integration(items, Path(__file__).parent)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with ThrowawayDatabase("chassis") as database:
        yield database.url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with ThrowawayVhost("chassis") as vhost:
        yield vhost.url


@pytest.fixture(scope="session")
def tables() -> MessageTables:
    return message_tables(MetaData(schema=SCHEMA))


@pytest.fixture(scope="session")
def idempotency_table(tables: MessageTables) -> Table:
    """Declared on the same metadata, so the engine fixture creates it with the others."""
    return idempotency_keys(tables.outbox.metadata)


@pytest.fixture(scope="session")
async def engine(
    database_url: str, tables: MessageTables, idempotency_table: Table
) -> AsyncIterator[AsyncEngine]:
    """The tables are made from their declarations here (a service makes them by migration)."""
    engine = make_engine(database_url, pool_size=5)
    async with engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        await connection.run_sync(tables.outbox.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def outbox(engine: AsyncEngine, tables: MessageTables) -> AsyncIterator[Table]:
    yield tables.outbox
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {SCHEMA}.outbox, {SCHEMA}.inbox"))


@pytest.fixture
async def inbox(outbox: Table, tables: MessageTables) -> Table:
    return tables.inbox
