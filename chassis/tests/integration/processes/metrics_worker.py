"""A worker of the chassis's own, run by ``run_worker`` as a service's ``<service>-worker`` is:
its relay over the test schema's outbox and one consumer that applies every delivery.
``python metrics_worker.py`` with DATABASE_URL, AMQP_URL and WORKER_METRICS_PORT set."""

import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Consumer, ServiceRuntime, Topology, run_worker
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated

# Run by path, this folder is all Python sees of the tests: chassis/ makes ``tests`` importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.stand_in_service import Container, StandInSettings, bootstrap

QUEUE = ConsumerQueueNames("chassis_test.worker_metrics", events=(UserAccountCreated,))


async def apply(container: Container, envelope: Envelope[Any], connection: AsyncConnection) -> None:
    """Nothing to change: the inbox row the consumer writes is the whole effect."""


CONSUMER = Consumer[Container](
    name="chassis-worker-metrics", queue=QUEUE, apply=apply, description="test"
)
RUNTIME = ServiceRuntime(StandInSettings, bootstrap, (CONSUMER,))

if __name__ == "__main__":
    run_worker(
        prog="chassis-test-worker",
        topology=Topology(UserAccountCreated.exchange, consumes=(QUEUE,)),
        runtime="__main__:RUNTIME",
    )
