"""The SDK's OTLP/HTTP span exporter (endpoint, headers, timeout, compression and retries from
the ``OTEL_EXPORTER_OTLP_*`` variables, as before) with the request body written by
``otlp_encoding`` instead of the SDK's protobuf objects, and the SDK's batching processor
(its ``OTEL_BSP_*`` variables, queue, thread, flush and shutdown) queuing each span already
encoded."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult

from chassis.telemetry.otlp_encoding import EncodedSpan, encode_span, encode_spans

logger = logging.getLogger(__name__)


class BytesOtlpSpanExporter(OTLPSpanExporter):
    """Sends through the exporter's own HTTP client (``_client``, opentelemetry-exporter-otlp-
    proto-http 1.45; ``test_otlp_encoding`` exports through it to a real receiver, so a
    release that renames it fails there). The exporter's self-metrics, off unless
    ``OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED``, are not kept."""

    def export(  # also takes spans encoded as they ended
        self, spans: Sequence[ReadableSpan | EncodedSpan]
    ) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        try:
            body = encode_spans(spans)
        except Exception:
            logger.exception("could not encode %d spans; they are dropped", len(spans))
            return SpanExportResult.FAILURE
        result = self._client.export(body)
        return SpanExportResult.SUCCESS if result.success else SpanExportResult.FAILURE


class EncodingBatchSpanProcessor(BatchSpanProcessor):
    """A ``BatchSpanProcessor`` whose queue holds each span's bytes, encoded when it ends.

    The encoding costs the same on either thread (they share one interpreter lock), but a
    queued span object lives on for up to a batch (512 spans) and gets walked by the garbage
    collector's older generations meanwhile; bytes are not tracked, and the span is freed at
    once. Its exporter must take ``EncodedSpan`` (``BytesOtlpSpanExporter`` does). It queues
    through the SDK processor's own ``_batch_processor`` (opentelemetry-sdk 1.45);
    ``test_the_processor_queues_spans_encoded_and_exports_them_in_batches`` fails on a
    release that renames it."""

    def __init__(self, exporter: BytesOtlpSpanExporter) -> None:
        super().__init__(exporter)

    def on_end(self, span: ReadableSpan) -> None:
        if not (span.context and span.context.trace_flags.sampled):
            return
        try:
            encoded = encode_span(span)
        except Exception:
            logger.exception("could not encode the span %r; it is dropped", span.name)
            return
        self._batch_processor.emit(encoded)  # type: ignore[arg-type]  # its exporter takes it
