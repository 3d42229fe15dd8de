"""A service's worker process: its consumers and outbox relay without HTTP, to scale them on
their own, and its metrics at ``/metrics`` on ``WORKER_METRICS_HOST:WORKER_METRICS_PORT``; with
``--declare-topology`` it only declares its exchange and queues and exits."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from typing import TypeVar

from chassis.container import ServiceContainer
from chassis.http.metrics_server import metrics_serving
from chassis.process_logging import configure_logging

C = TypeVar("C", bound=ServiceContainer)
TOPOLOGY_TIMEOUT_SECONDS = 30.0  # a wrong password or host fails the step, never hangs it
logger = logging.getLogger(__name__)


def run_worker(*, prog: str, build: Callable[[], C], subscribe: Callable[[C], None]) -> None:
    """The ``main()`` of ``<service>-worker``: parse the arguments, configure logging, run."""
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
    asyncio.run(_run(prog, build, subscribe, declare_only=args.declare_topology))


async def _run(
    prog: str, build: Callable[[], C], subscribe: Callable[[C], None], *, declare_only: bool
) -> None:
    container = build()
    subscribe(container)
    messaging = container.platform.messaging
    try:
        if declare_only:
            try:
                async with asyncio.timeout(TOPOLOGY_TIMEOUT_SECONDS):
                    await messaging.broker.connect()
                    await messaging.declare_topology()
            except TimeoutError:
                logger.error(
                    "%s: RabbitMQ (AMQP_URL) accepted no connection within %.0f s; check that "
                    "it runs and that the user and password are right",
                    prog,
                    TOPOLOGY_TIMEOUT_SECONDS,
                )
                raise SystemExit(1) from None
            logger.info("%s: declared the exchange and the consumers' queues", prog)
            return
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
            await stop.wait()
    finally:
        await container.close()
