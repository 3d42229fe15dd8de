"""`gateway` / `python -m gateway`: serve on GATEWAY_HOST:GATEWAY_PORT with uvloop."""

import logging

import uvloop
from aiohttp import web

from gateway.access_log import AccessLogger
from gateway.app import create_app
from gateway.config import Settings

logger = logging.getLogger("gateway")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    routes = ", ".join(f"{r.prefix} -> {r.upstream.base_url}" for r in settings.route_list)
    logger.info(
        "listening on http://%s:%s; routes: %s",
        settings.host,
        settings.port,
        routes,
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        reuse_port=settings.reuse_port or None,
        access_log_class=AccessLogger,
        access_log=logging.getLogger("gateway.access") if settings.access_log else None,
        loop=uvloop.new_event_loop(),
        print=None,
    )


if __name__ == "__main__":
    main()
