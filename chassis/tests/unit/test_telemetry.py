"""Tracing configured only by OTEL_* variables, JSON log lines that join logs to traces, and
the request middleware's metric labelled by route template (never a raw id)."""

import json
import logging

import httpx
from fastapi import APIRouter, FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from chassis.http.request_id import RequestIdMiddleware
from chassis.http.request_telemetry import RequestTelemetryMiddleware
from chassis.telemetry import log_context
from chassis.telemetry.json_logs import JsonFormatter
from chassis.telemetry.telemetry import Telemetry
from chassis.telemetry.trace_context import context_from, current_trace_context
from chassis.telemetry.tracing import tracer_provider_from_environment

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_no_exporter_configured_means_no_tracer_provider_at_all() -> None:
    assert tracer_provider_from_environment("svc", {}) is None
    assert tracer_provider_from_environment("svc", {"OTEL_TRACES_EXPORTER": "none"}) is None
    disabled = {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}
    assert tracer_provider_from_environment("svc", disabled) is None


def test_an_endpoint_turns_otlp_on_and_the_service_name_defaults_to_the_services() -> None:
    provider = tracer_provider_from_environment(
        "accounts-service", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    )
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "accounts-service"
    named = tracer_provider_from_environment(
        "accounts-service", {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "other"}
    )
    assert named is not None
    assert named.resource.attributes["service.name"] == "other"
    provider.shutdown()
    named.shutdown()


def traced() -> tuple[Telemetry, InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return Telemetry.create("svc", tracer_provider=provider), spans


def test_a_json_log_line_names_the_service_request_trace_and_message() -> None:
    telemetry, _ = traced()
    assert telemetry.tracer is not None
    record = logging.LogRecord("svc.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    request = log_context.request_id.set("req-1")
    message = log_context.message_id.set("msg-1")
    kind = log_context.event_type.set("UserAccountCreated")
    try:
        with telemetry.tracer.start_as_current_span("work") as span:
            line = json.loads(JsonFormatter("svc").format(record))
    finally:
        log_context.event_type.reset(kind)
        log_context.message_id.reset(message)
        log_context.request_id.reset(request)
    context = span.get_span_context()
    assert line["message"] == "hello you"
    assert line["service"] == "svc"
    assert line["level"] == "INFO"
    assert line["logger"] == "svc.x"
    assert line["request_id"] == "req-1"
    assert line["message_id"] == "msg-1"
    assert line["event_type"] == "UserAccountCreated"
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")


def test_trace_context_round_trips_through_a_stored_mapping() -> None:
    telemetry, _ = traced()
    assert telemetry.tracer is not None
    assert current_trace_context() is None
    with telemetry.tracer.start_as_current_span(
        "writer", context=context_from({"traceparent": PARENT})
    ):
        stored = current_trace_context()
    assert stored is not None
    assert stored["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")
    assert context_from({}) is None
    assert context_from({"tracestate": "a=b"}) is None


class _State:
    def __init__(self, telemetry: Telemetry) -> None:
        self.telemetry = telemetry


def app_with(telemetry: Telemetry) -> FastAPI:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(RequestTelemetryMiddleware)
    app.state.platform = _State(telemetry)
    return app


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_requests_are_measured_by_route_template_and_continue_the_callers_trace() -> None:
    telemetry, spans = traced()
    async with client_of(app_with(telemetry)) as client:
        assert (await client.get("/things/42", headers={"traceparent": PARENT})).status_code == 200
        assert (await client.get("/things/43")).status_code == 200
        assert (await client.get("/nowhere/7")).status_code == 404

    registry = telemetry.registry
    count = "http_server_request_duration_seconds_count"
    assert (
        registry.get_sample_value(
            count, {"method": "GET", "route": "/things/{thing_id}", "status": "200"}
        )
        == 2
    )
    assert (
        registry.get_sample_value(count, {"method": "GET", "route": "unmatched", "status": "404"})
        == 1
    )
    first = spans.get_finished_spans()[0]
    assert first.name == "GET /things/{thing_id}"
    assert first.kind is SpanKind.SERVER
    assert first.parent is not None
    assert format(first.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert first.attributes is not None
    assert first.attributes["http.response.status_code"] == 200


async def test_untraced_telemetry_still_measures_and_makes_no_span() -> None:
    telemetry = Telemetry.create("svc", tracer_provider=None)
    async with client_of(app_with(telemetry)) as client:
        assert (await client.get("/things/1")).status_code == 200
    assert (
        telemetry.registry.get_sample_value(
            "http_server_request_duration_seconds_count",
            {"method": "GET", "route": "/things/{thing_id}", "status": "200"},
        )
        == 1
    )
