"""A service's worker process: its consumers and outbox relay without HTTP, to scale them on
their own, and its metrics at ``/metrics`` and health at ``/health`` and ``/health/ready`` on
``WORKER_METRICS_HOST:WORKER_METRICS_PORT``; with
``--declare-topology`` it only declares its exchange and queues and exits.

``--declare-topology`` runs on every start (``make migrate``, the migration one-shots), so it
reads only ``BrokerSettings`` and imports only the broker: the service's container (SQLAlchemy,
its signing key, its full settings) is built by the service's ``ServiceRuntime``, named by its
import path and imported only when the worker really runs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from chassis.messaging.broker import make_broker
from chassis.messaging.consumer_queue import ConsumerQueue
from chassis.messaging.topology import Topology, declare_topology
from chassis.process_logging import configure_logging
from chassis.settings import BrokerSettings

TOPOLOGY_TIMEOUT_SECONDS = 30.0  # a wrong password or host fails the step, never hangs it
logger = logging.getLogger(__name__)


def run_worker(*, prog: str, topology: Topology, runtime: str) -> None:
    """The ``main()`` of ``<service>-worker``: parse the arguments, configure logging, run.

    ``runtime`` names the service's ``ServiceRuntime`` (``package.module:NAME``), which builds
    the container with its consumers subscribed; ``topology`` is what ``--declare-topology``
    declares (the same exchange and queues those consumers declare when they start)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Consumers and outbox relay of the service, without HTTP."
    )
    parser.add_argument(
        "--declare-topology",
        action="store_true",
        help="declare the service's exchange and its consumers' queues, then exit",
    )
    args = parser.parse_args()
    configure_logging(service=prog)
    if args.declare_topology:
        asyncio.run(_declare(prog, topology, BrokerSettings()))
    else:
        asyncio.run(_run(prog, runtime))


async def _declare(prog: str, topology: Topology, settings: BrokerSettings) -> None:
    broker = make_broker(settings.amqp_url, app_id=prog, prefetch=settings.consumer_prefetch)
    queues = [
        ConsumerQueue(
            names,
            retry_delay_ms=settings.retry_delay_ms,
            max_attempts=settings.max_delivery_attempts,
        )
        for names in topology.consumes
    ]
    try:
        async with asyncio.timeout(TOPOLOGY_TIMEOUT_SECONDS):
            await broker.connect()
    except TimeoutError:
        logger.error(
            "%s: RabbitMQ (AMQP_URL) accepted no connection within %.0f s; check that it runs "
            "and that the user and password are right",
            prog,
            TOPOLOGY_TIMEOUT_SECONDS,
        )
        await broker.stop()
        raise SystemExit(1) from None
    try:
        # Not under the connection's bound: moving what retired queues hold takes its time.
        retired = await declare_topology(broker, exchange=topology.exchange, queues=queues)
    finally:
        await broker.stop()
    logger.info("%s: declared the exchange and the consumers' queues", prog)
    if not retired:
        logger.info(
            "%s: retired queues are left (older consumers still read them, or see the warning "
            "above); the running service empties and deletes them later",
            prog,
        )


async def _run(prog: str, runtime: str) -> None:
    # Imported here: FastAPI, uvicorn and the service are no business of --declare-topology.
    from chassis.http.metrics_server import metrics_serving  # noqa: PLC0415
    from chassis.runtime import ServiceRuntime  # noqa: PLC0415
    from chassis.start_up_objects import freeze_start_up_objects  # noqa: PLC0415

    container = ServiceRuntime.named(runtime).container()
    try:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        platform = container.platform
        settings = platform.settings
        # Bound before anything starts: a port in use stops the worker at once, saying so.
        async with metrics_serving(
            platform, settings.worker_metrics_host, settings.worker_metrics_port
        ) as url:
            logger.info("%s: metrics on %s/metrics", prog, url)
            await platform.start()
            freeze_start_up_objects()
            await stop.wait()
    finally:
        await container.close()
