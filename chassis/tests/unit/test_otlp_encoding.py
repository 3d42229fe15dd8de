"""The chassis's span encoding says exactly what the SDK's protobuf encoder says, for every
kind of field a span can carry, and the exporter delivers it to a real OTLP/HTTP receiver."""

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as sdk_encode
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from chassis.telemetry.otlp_encoding import encode_span, encode_spans
from chassis.telemetry.otlp_exporter import BytesOtlpSpanExporter, EncodingBatchSpanProcessor
from chassis.telemetry.trace_context import context_from
from taskboard_testing.otlp import OtlpReceiver

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def finished_spans() -> list[ReadableSpan]:
    spans = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "svc", "n": 3}))
    provider.add_span_processor(SimpleSpanProcessor(spans))
    tracer = provider.get_tracer("chassis", "1.2", schema_url="https://example.com/s")
    other = provider.get_tracer("other")
    remote = context_from({"traceparent": PARENT, "tracestate": "a=1,b=two"})
    with tracer.start_as_current_span(
        "GET /api/projects/{id}", context=remote, kind=SpanKind.SERVER
    ) as server:
        server.set_attributes(
            {
                "text": "ünïcode " * 40,  # a length over one varint byte
                "flag": True,
                "off": False,
                "count": 300,
                "negative": -5,
                "ratio": 0.25,
                "words": ("a", "b"),
                "numbers": [1, 2, 3],
            }
        )
        server.add_event("retry", {"attempt": 2})
        with tracer.start_as_current_span("SELECT postgresql", kind=SpanKind.CLIENT) as sql:
            sql.set_status(Status(StatusCode.ERROR, "UniqueViolationError"))
        linked = other.start_span(
            "publish x", kind=SpanKind.PRODUCER, links=[Link(sql.get_span_context(), {"k": "v"})]
        )
        linked.set_attribute("flag", 1)  # True == 1 in Python, not in OTLP
        linked.set_status(Status(StatusCode.OK))
        linked.end()
    root = other.start_span("process q", kind=SpanKind.CONSUMER)
    root.end()
    return list(spans.get_finished_spans())


def test_the_bytes_are_the_message_the_sdk_encodes() -> None:
    spans = finished_spans()
    body = encode_spans(spans)
    ours = ExportTraceServiceRequest()
    ours.ParseFromString(body)
    assert ours == sdk_encode(spans)
    assert encode_spans(spans) == body  # again, from the encodings kept
    assert sum(len(s.spans) for r in ours.resource_spans for s in r.scope_spans) == 4
    # spans encoded one by one as they end, then framed together: the same request
    assert encode_spans([encode_span(span) for span in spans]) == body


def test_the_exporter_delivers_the_spans_to_an_otlp_receiver() -> None:
    spans = finished_spans()
    with OtlpReceiver() as receiver:
        exporter = BytesOtlpSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces")
        assert exporter.export(spans).name == "SUCCESS"
        exporter.shutdown()
        received = receiver.spans()
    assert sorted(s.name for s in received) == sorted(s.name for s in spans)
    server = next(s for s in received if s.kind == "server")
    assert server.service == "svc"
    assert server.trace_id == PARENT.split("-")[1]
    assert server.parent_id == PARENT.split("-")[2]
    assert server.attributes["count"] == 300


def test_the_processor_queues_spans_encoded_and_exports_them_in_batches() -> None:
    with OtlpReceiver() as receiver:
        processor = EncodingBatchSpanProcessor(
            BytesOtlpSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces")
        )
        provider = TracerProvider(resource=Resource.create({"service.name": "svc"}))
        provider.add_span_processor(processor)
        tracer = provider.get_tracer("chassis")
        with tracer.start_as_current_span("parent"):
            for n in range(600):  # more than one batch of 512
                tracer.start_span(f"child {n}").end()
        unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        tracer.start_span("not sampled", context=context_from({"traceparent": unsampled})).end()
        assert processor.force_flush()
        provider.shutdown()
        received = receiver.spans()
    assert len(received) == 601
    parent = next(s for s in received if s.name == "parent")
    assert {s.parent_id for s in received if s.name.startswith("child")} == {parent.span_id}
    assert {s.trace_id for s in received} == {parent.trace_id}
