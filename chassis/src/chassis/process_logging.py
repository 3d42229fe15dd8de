"""Logging, configured once when a process starts (never by building an app)."""

import logging

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """One handler on the root logger for the whole process; a second call changes nothing.

    The chassis writes one access line per request, with its request id (``chassis.access``),
    so uvicorn's own access line, which has none, is turned down to warnings."""
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
