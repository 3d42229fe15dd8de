"""A client span for each SQL statement run inside a traced operation, for the SQLAlchemy
engine (unit of work, consumers, relay) and the plain asyncpg read pool.

Our own hooks rather than ``opentelemetry-instrumentation-sqlalchemy``: that package declares
SQLAlchemy below 2.1 and instruments nothing here without skipping its check. A statement
with no traced operation around it (the relay's idle polls, retention) makes no span, so an
idle process sends no trace."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.engine import Engine

from chassis.telemetry.current_span import CurrentSpan

_SPAN = "_taskboard_span"
MAX_STATEMENT = 2_000


def trace_statements(engine: Engine, tracer: Tracer) -> None:
    """Hook ``engine`` (an async engine's ``sync_engine``) so that each statement is a span."""

    def before(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if context is not None and trace.get_current_span().is_recording():
            setattr(context, _SPAN, _start(tracer, statement))

    def after(
        _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        span: Span | None = getattr(context, _SPAN, None)
        if span is not None:
            span.end()

    def failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        span: Span | None = getattr(context, _SPAN, None) if context is not None else None
        if span is not None:
            error = exception_context.original_exception
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            span.record_exception(error)
            span.end()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)


def statement_span(tracer: Tracer, statement: str) -> AbstractContextManager[object]:
    """A span around one statement of the read pool, when there is a traced operation."""
    if not trace.get_current_span().is_recording():
        return nullcontext()
    return CurrentSpan(_start(tracer, statement))


def _start(tracer: Tracer, statement: str) -> Span:
    operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
    return tracer.start_span(
        f"{operation} postgresql",
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": "postgresql",
            "db.operation.name": operation,
            "db.query.text": statement[:MAX_STATEMENT],
        },
    )
