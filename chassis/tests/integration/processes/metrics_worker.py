"""A worker of the chassis's own, run by ``run_worker`` as a service's ``<service>-worker`` is:
its relay over the test schema's outbox and one consumer that applies every delivery.
``python metrics_worker.py`` with DATABASE_URL, AMQP_URL and WORKER_METRICS_PORT set."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import (
    Consumer,
    Platform,
    ServiceRuntime,
    ServiceSettings,
    Topology,
    build_platform,
    message_tables,
    run_worker,
)
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated

SCHEMA = "chassis_test"  # the integration tests' schema (conftest.SCHEMA)
QUEUE = ConsumerQueueNames("chassis_test.worker_metrics", events=(UserAccountCreated,))


class WorkerSettings(ServiceSettings):
    service_name: str = "chassis-test"
    worker_metrics_port: int = 0


@dataclass
class Container:
    platform: Platform

    async def close(self) -> None:
        await self.platform.close()


def bootstrap(settings: WorkerSettings) -> Container:
    tables = message_tables(MetaData(schema=SCHEMA))
    return Container(build_platform(settings, exchange=UserAccountCreated.exchange, tables=tables))


async def apply(container: Container, envelope: Envelope[Any], connection: AsyncConnection) -> None:
    """Nothing to change: the inbox row the consumer writes is the whole effect."""


CONSUMER = Consumer[Container](
    name="chassis-worker-metrics", queue=QUEUE, apply=apply, description="test"
)
RUNTIME = ServiceRuntime(WorkerSettings, bootstrap, (CONSUMER,))

if __name__ == "__main__":
    run_worker(
        prog="chassis-test-worker",
        topology=Topology(UserAccountCreated.exchange, consumes=(QUEUE,)),
        runtime="__main__:RUNTIME",
    )
