"""A process's telemetry: its tracer (or none, when nothing is exported) and its metrics
registry. One per process, from the environment; tests make their own with an in-memory
exporter, since the global tracer provider can be set only once."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from opentelemetry import trace
from opentelemetry.trace import Tracer, TracerProvider
from prometheus_client import CollectorRegistry, Histogram

from chassis.telemetry.http_metrics import request_duration
from chassis.telemetry.messaging_metrics import MessagingMetrics
from chassis.telemetry.tracing import tracer_provider_from_environment

TRACER_NAME = "chassis"


@dataclass
class Telemetry:
    """``tracer`` is None when tracing is off: instrumented code then makes no span at all."""

    service_name: str
    tracer: Tracer | None
    registry: CollectorRegistry
    request_duration: Histogram = field(init=False)
    _messaging: MessagingMetrics | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.request_duration = request_duration(self.registry)

    def messaging(self) -> MessagingMetrics:
        """The outbox, relay and consumer metrics, registered on first use (a process that
        never relays or consumes, the gateway, does not show them)."""
        if self._messaging is None:
            self._messaging = MessagingMetrics.on(self.registry)
        return self._messaging

    @classmethod
    def create(cls, service_name: str, *, tracer_provider: TracerProvider | None) -> Telemetry:
        """Telemetry with its own registry, tracing to ``tracer_provider`` (None: no traces)."""
        tracer = tracer_provider.get_tracer(TRACER_NAME) if tracer_provider else None
        return cls(service_name, tracer, CollectorRegistry(auto_describe=True))


_process: Telemetry | None = None
_lock = threading.Lock()


def process_telemetry(service_name: str) -> Telemetry:
    """The process's telemetry, configured from ``OTEL_*`` on the first call (which also makes
    its tracer provider the global one); later calls return the same, whatever they pass."""
    global _process  # noqa: PLW0603 - one per process, like the global tracer provider
    with _lock:
        if _process is None:
            provider = tracer_provider_from_environment(service_name)
            if provider is not None:
                trace.set_tracer_provider(provider)
            _process = Telemetry.create(service_name, tracer_provider=provider)
        return _process
