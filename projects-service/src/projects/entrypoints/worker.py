"""``projects-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``projects-worker --declare-topology`` only declares the queues (run by ``make migrate``)."""

import argparse
import asyncio
import logging
import signal

from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.messaging import subscribe_all


async def _run(declare_only: bool) -> None:
    container = bootstrap(Settings())
    subscribe_all(container)
    messaging = container.messaging
    try:
        if declare_only:
            await messaging.broker.connect()
            await messaging.declare_topology()
            logging.info("declared projects-service's exchange and its consumers' queues")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await messaging.start()
        await stop.wait()
    finally:
        await container.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="projects-worker", description=__doc__)
    parser.add_argument("--declare-topology", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(_run(args.declare_topology))


if __name__ == "__main__":
    main()
