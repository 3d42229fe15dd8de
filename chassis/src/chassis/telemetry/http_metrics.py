"""The metric every HTTP process serves: request durations by route template."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

# Seconds; from a cached read (~1 ms) to a login's bcrypt (~250 ms) and a slow upstream.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def request_duration(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        "http_server_request_duration_seconds",
        "Duration of HTTP requests served, by method, route template and status code.",
        ["method", "route", "status"],
        registry=registry,
        buckets=BUCKETS,
    )
