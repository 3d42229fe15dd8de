"""`gateway` / `python -m gateway`: serve on GATEWAY_HOST:GATEWAY_PORT with uvloop until
SIGINT or SIGTERM."""

import asyncio
import logging
import signal

import uvloop

from gateway.app import create_app
from gateway.config import Settings
from gateway.server import serving

logger = logging.getLogger("gateway")


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(create_app(settings), settings) as url:
        routes = ", ".join(
            f"{r.prefix} -> {' '.join(r.upstream.base_urls)}" for r in settings.route_list
        )
        logger.info("listening on %s; routes: %s", url, routes)
        await stop.wait()
        logger.info("stopping")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvloop.run(serve(Settings()))


if __name__ == "__main__":
    main()
