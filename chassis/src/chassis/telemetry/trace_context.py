"""W3C trace context (``traceparent``, ``tracestate``) in and out of plain string mappings:
HTTP headers, AMQP headers, and the outbox row that keeps the context of the transaction that
wrote it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

W3C = TraceContextTextMapPropagator()
FIELDS = ("traceparent", "tracestate")


def current_trace_context() -> dict[str, str] | None:
    """The current span's context as W3C fields, or None outside a sampled, valid span."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    W3C.inject(carrier)
    return carrier or None


def context_from(carrier: Mapping[str, Any] | None) -> Context | None:
    """The parent context the fields in ``carrier`` name (headers, a stored row), if any."""
    if not carrier:
        return None
    fields = {k: v for k in FIELDS if isinstance(v := carrier.get(k), str | bytes)}
    if "traceparent" not in fields:
        return None
    text = {k: v.decode() if isinstance(v, bytes) else v for k, v in fields.items()}
    return W3C.extract(text)


def trace_headers(carrier: Mapping[str, Any] | None) -> dict[str, str]:
    """Only the W3C fields of ``carrier``, as strings (what goes into a message's headers)."""
    if not carrier:
        return {}
    return {k: str(carrier[k]) for k in FIELDS if carrier.get(k)}
