"""Logging, configured once when a process starts (never by building an app)."""

import logging

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """One handler on the root logger for the whole process; a second call changes nothing."""
    logging.basicConfig(level=level, format=FORMAT)
