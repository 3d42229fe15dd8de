"""``GET /metrics``: the process's metrics in the Prometheus text format, on the service's own
port (the gateway never routes it). Gauges that need a query are refreshed here, at most once
per interval whatever the number of scrapers."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chassis.platform import Platform

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    await platform.messaging.refresh_metrics()
    return Response(generate_latest(platform.telemetry.registry), media_type=CONTENT_TYPE_LATEST)
