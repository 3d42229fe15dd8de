"""A read-pool statement is a client span under the traced operation around it (none without
one), and a failing statement's span records the error, as ``trace.use_span`` would."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode, Tracer, get_current_span

from chassis.telemetry.current_span import CurrentSpan
from chassis.telemetry.sql_spans import statement_span


def tracer_and_spans() -> tuple[Tracer, InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return provider.get_tracer("test"), spans


def test_a_statement_inside_a_traced_operation_is_its_child_client_span() -> None:
    tracer, spans = tracer_and_spans()
    with CurrentSpan(tracer.start_span("GET /x", kind=SpanKind.SERVER)) as server:
        with statement_span(tracer, "  select * from t"):
            inner = get_current_span()
        assert get_current_span() is server
    sql, request = spans.get_finished_spans()
    assert inner.get_span_context() == sql.context
    assert sql.name == "SELECT postgresql"
    assert sql.kind is SpanKind.CLIENT
    assert sql.parent is not None
    assert sql.parent.span_id == request.context.span_id
    assert sql.attributes is not None
    assert sql.attributes["db.query.text"] == "  select * from t"


def test_a_statement_outside_any_traced_operation_makes_no_span() -> None:
    tracer, spans = tracer_and_spans()
    with statement_span(tracer, "SELECT 1"):
        pass
    assert spans.get_finished_spans() == ()


def test_a_failing_statement_records_the_error_and_leaves_the_context_as_it_was() -> None:
    tracer, spans = tracer_and_spans()
    outside = get_current_span()
    with (
        CurrentSpan(tracer.start_span("GET /x")),
        pytest.raises(ValueError, match="bad"),
        statement_span(tracer, "SELECT 1"),
    ):
        raise ValueError("bad")
    assert get_current_span() is outside
    sql, _ = spans.get_finished_spans()
    assert sql.status.status_code is StatusCode.ERROR
    assert sql.status.description == "ValueError: bad"
    assert [event.name for event in sql.events] == ["exception"]
