"""Settings, read only from environment variables, with dev defaults pointing at localhost."""

from pydantic import Field

from chassis import ServiceSettings


class Settings(ServiceSettings):
    """projects-service configuration: the chassis's settings and projects' own."""

    service_name: str = "projects-service"
    worker_metrics_port: int = Field(
        default=8012, ge=0, le=65535, description="projects-worker's /metrics port."
    )

    jwks_url: str = Field(
        default="http://127.0.0.1:8001/.well-known/jwks.json",
        description="accounts-service's public keys; the only call to another service.",
    )
    jwks_cache_seconds: float = Field(default=300.0, gt=0)
    jwks_min_refresh_seconds: float = Field(
        default=10.0, ge=0, description="At most one refetch per this many seconds."
    )
    jwks_timeout_seconds: float = Field(default=3.0, gt=0)
