"""One JSON object per log line: time, level, service, logger, message, and what joins the line
to the rest — request id, trace and span ids, and for a message its id and event type."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from chassis.telemetry import log_context

# Attributes a caller may pass with ``extra=`` (the gateway's access log does) to name the
# request when the line is written outside its context.
JOIN_FIELDS = ("request_id", "trace_id", "span_id", "message_id", "event_type")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_context())
        for name in JOIN_FIELDS:
            value = getattr(record, name, None)
            if value:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _context() -> dict[str, str]:
    fields: dict[str, str] = {}
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        fields["trace_id"] = format(span.trace_id, "032x")
        fields["span_id"] = format(span.span_id, "016x")
    for name, var in (
        ("request_id", log_context.request_id),
        ("message_id", log_context.message_id),
        ("event_type", log_context.event_type),
    ):
        value = var.get()
        if value:
            fields[name] = value
    return fields
