"""The process's tracer provider, configured only by the standard ``OTEL_*`` variables.

Traces go out as OTLP over HTTP/protobuf when an exporter is asked for
(``OTEL_TRACES_EXPORTER=otlp``) or an endpoint is given (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``). Otherwise — and with ``OTEL_SDK_DISABLED=true`` or
``OTEL_TRACES_EXPORTER=none`` — there is no provider at all: the chassis then makes no span, so
a process nobody traces pays nothing for tracing. (The specification's default exporter is
``otlp`` towards localhost; exporting to a collector that is not there would only cost CPU.)"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

logger = logging.getLogger(__name__)

HTTP_PROTOBUF = "http/protobuf"


def tracer_provider_from_environment(
    default_service_name: str, environ: Mapping[str, str] | None = None
) -> TracerProvider | None:
    """A provider exporting as the variables say, or None when nothing is to be exported."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    processor = _processor(env)
    if processor is None:
        return None
    # OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME are read by Resource.create; the name a
    # service gives is only the default.
    name = env.get("OTEL_SERVICE_NAME") or default_service_name
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(processor)
    return provider


def _processor(env: Mapping[str, str]) -> SpanProcessor | None:
    """The batching processor and exporter the variables ask for, if any."""
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "").split(",") if n]
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    if not names:
        names = ["otlp"] if endpoint else []
    if not names or names == ["none"]:
        return None
    if "console" in names:
        return BatchSpanProcessor(ConsoleSpanExporter())
    if "otlp" not in names:
        logger.warning("OTEL_TRACES_EXPORTER=%s is not supported here; tracing is off", names)
        return None
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", HTTP_PROTOBUF
    )
    if protocol != HTTP_PROTOBUF:
        logger.warning("OTLP protocol %r is not supported; exporting http/protobuf", protocol)
    # Imported here: the exporter pulls in requests and protobuf, which an untraced process
    # never needs. It reads the endpoint, headers, timeout and compression variables itself.
    from chassis.telemetry.otlp_exporter import (  # noqa: PLC0415
        BytesOtlpSpanExporter,
        EncodingBatchSpanProcessor,
    )

    return EncodingBatchSpanProcessor(BytesOtlpSpanExporter())
