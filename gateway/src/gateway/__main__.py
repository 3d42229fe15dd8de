"""`gateway` / `python -m gateway`: serve on GATEWAY_HOST:GATEWAY_PORT with uvloop until
SIGINT or SIGTERM."""

import asyncio
import logging
import signal

import uvloop

from chassis import configure_logging, freeze_start_up_objects
from gateway.admin import admin_serving
from gateway.app import create_app
from gateway.config import Settings
from gateway.server import serving
from gateway.telemetry import TELEMETRY

logger = logging.getLogger("gateway")


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    app = create_app(settings)
    async with (
        serving(app, settings) as url,
        admin_serving(app[TELEMETRY], settings.host, settings.admin_port) as admin_url,
    ):
        routes = ", ".join(
            f"{r.prefix} -> {' '.join(r.upstream.base_urls)}" for r in settings.route_list
        )
        logger.info("listening on %s; routes: %s; metrics on %s/metrics", url, routes, admin_url)
        freeze_start_up_objects()
        await stop.wait()
        logger.info("stopping")


def main() -> None:
    configure_logging(service="gateway")
    uvloop.run(serve(Settings()))


if __name__ == "__main__":
    main()
