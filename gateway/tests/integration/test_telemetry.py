"""The gateway's telemetry: a server span per request that continues the client's trace and
is the parent the service sees in its ``traceparent``, durations labelled by route prefix
(never the ids after it), and ``/metrics`` only on the admin port."""

from collections.abc import Callable
from typing import Any

import aiohttp
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from chassis import Telemetry
from gateway import Settings, create_app
from gateway.admin import admin_serving
from gateway.server import serving
from tests.integration.standins import StandIn

TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_PARENT = f"00-{TRACE}-b7ad6b7169203331-01"


async def test_the_service_sees_the_gateways_span_as_parent_in_the_clients_trace(
    settings_for: Callable[..., Settings], projects: StandIn, client: aiohttp.ClientSession
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    telemetry = Telemetry.create("gateway", tracer_provider=provider)
    settings = settings_for()
    async with serving(create_app(settings, telemetry), settings) as url:
        headers = {"traceparent": CLIENT_PARENT}
        async with client.post(url + "/api/projects/echo", data=b"x", headers=headers) as answer:
            assert answer.status == 200
    (span,) = spans.get_finished_spans()
    assert span.kind is SpanKind.SERVER
    assert span.name == "POST /api/projects"
    assert format(span.context.trace_id, "032x") == TRACE
    forwarded = projects.seen[-1].header("traceparent")
    assert forwarded == f"00-{TRACE}-{span.context.span_id:016x}-01"


async def test_durations_by_route_prefix_and_metrics_only_on_the_admin_port(
    settings_for: Callable[..., Settings], client: aiohttp.ClientSession
) -> None:
    telemetry = Telemetry.create("gateway", tracer_provider=None)
    settings = settings_for()
    app = create_app(settings, telemetry)
    async with (
        serving(app, settings) as url,
        admin_serving(telemetry, "127.0.0.1", 0) as admin,
    ):
        for path in ("/api/projects/1/tasks/7", "/api/projects/2/tasks/9", "/health"):
            async with client.get(url + path) as answer:
                await answer.read()
        async with client.get(url + "/metrics") as public:
            assert public.status != 200 or "http_server" not in await public.text()
        async with client.get(admin + "/metrics") as scraped:
            assert scraped.status == 200
            text = await scraped.text()
    series: dict[str, Any] = {
        line.split(" ")[0]: line.split(" ")[1]
        for line in text.splitlines()
        if line.startswith("http_server_request_duration_seconds_count")
    }
    assert any('route="/api/projects"' in name for name in series)
    assert any('route="/health"' in name for name in series)
    assert not any("/1/" in name or "/2/" in name for name in series)
