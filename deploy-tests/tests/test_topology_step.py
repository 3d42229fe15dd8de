"""`<service>-worker --declare-topology`, run on every start (`make migrate`, the migration
one-shots), loads only the broker: no SQLAlchemy, no signing key, not the service's settings or
container (issue 17). What it declares is what the worker's consumers read."""

from __future__ import annotations

import asyncio
import importlib

import aio_pika
import pytest

from chassis import ServiceRuntime
from taskboard_testing import ThrowawayVhost, modules_loaded_by, packages_in

from .stack import ACCOUNTS, PROJECTS, Service

MIGRATED = [pytest.param(s, id=s.name) for s in (ACCOUNTS, PROJECTS)]
# What the service's container needs and the topology does not: the database, the signing key
# and password hashing (accounts), the JWKS client (projects), the HTTP framework.
NOT_FOR_THE_TOPOLOGY = (
    "sqlalchemy",
    "asyncpg",
    "alembic",
    "cryptography",
    "jwt",
    "bcrypt",
    "httpx",
    "fastapi",
)


def worker_entry(service: Service) -> tuple[str, str]:
    module, function = service.scripts[f"{service.package}-worker"].split(":")
    return module, function


def declare_topology(service: Service, amqp_url: str) -> set[str]:
    """Run the worker's console-script function as ``--declare-topology``; its modules."""
    module, function = worker_entry(service)
    code = (
        f"import sys\nsys.argv = ['{service.package}-worker', '--declare-topology']\n"
        f"from {module} import {function}\n{function}()"
    )
    return modules_loaded_by(code, env={"AMQP_URL": amqp_url})


async def missing_queues(amqp_url: str, names: list[str]) -> list[str]:
    """Those of ``names`` that are no queue on the vhost (a passive declare fails for them)."""
    missing = []
    connection = await aio_pika.connect(amqp_url)
    try:
        for name in names:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                missing.append(name)
            finally:
                if not channel.is_closed:
                    await channel.close()
    finally:
        await connection.close()
    return missing


@pytest.mark.integration
@pytest.mark.parametrize("service", MIGRATED)
def test_declaring_the_topology_loads_neither_the_database_nor_the_container(
    service: Service,
) -> None:
    with ThrowawayVhost(f"topology_{service.package}") as vhost:
        loaded = declare_topology(service, vhost.url)
        assert packages_in(loaded, NOT_FOR_THE_TOPOLOGY) == []
        assert (
            packages_in(loaded, [f"{service.package}.bootstrap", f"{service.package}.config"]) == []
        )
        assert "faststream.rabbit" in loaded  # it did talk to the broker through FastStream


@pytest.mark.integration
@pytest.mark.parametrize("service", MIGRATED)
def test_the_declared_topology_holds_every_queue_the_workers_consumers_read(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The container is only built (no connection is opened): a dev throw-away signing key.
    monkeypatch.setenv("ENVIRONMENT", "dev")
    monkeypatch.delenv("JWT_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("JWT_PRIVATE_KEY_FILE", raising=False)
    monkeypatch.setenv("RUN_CONSUMERS", "true")
    module = importlib.import_module(worker_entry(service)[0])
    container = ServiceRuntime.named(module.RUNTIME).container()
    try:
        consumed = [consumer.queue for consumer in container.platform.messaging.consumers]
    finally:
        asyncio.run(container.close())
    assert consumed, f"{service.package}-worker subscribes no consumer"
    names = [
        name
        for queue in consumed
        for name in (queue.name, queue.retry_name, queue.dead_letter_name)
    ]
    with ThrowawayVhost(f"topology_{service.package}") as vhost:
        declare_topology(service, vhost.url)
        assert asyncio.run(missing_queues(vhost.url, names)) == []
