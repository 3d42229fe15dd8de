"""Logging, configured once when a process starts (never by building an app): readable text by
default, one JSON object per line with ``LOG_FORMAT=json`` (what the Kubernetes ConfigMaps set)."""

import logging
import os

from chassis.telemetry.json_logs import JsonFormatter

FORMAT = "%(levelname)s %(name)s: %(message)s"
# uvicorn configures these with handlers of its own before the app exists; in JSON they must
# go through the root handler like every other line (access lines included).
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(level: int = logging.INFO, *, service: str = "") -> None:
    """One handler on the root logger for the whole process; a second call changes nothing.

    The chassis writes one access line per request, with its request id (``chassis.access``),
    so uvicorn's own access line, which has none, is turned down to warnings."""
    root = logging.getLogger()
    if any(getattr(handler, "_taskboard", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._taskboard = True  # type: ignore[attr-defined]
    if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
        handler.setFormatter(JsonFormatter(service))
        for name in SERVER_LOGGERS:
            server_logger = logging.getLogger(name)
            server_logger.handlers.clear()
            server_logger.propagate = True
    else:
        handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
