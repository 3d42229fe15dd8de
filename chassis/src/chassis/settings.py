"""The settings every service of this system has, read only from environment variables.

A service subclasses ``ServiceSettings`` with its own fields and its ``service_name`` default;
each field is read from the environment variable of its name (``DATABASE_URL``, …)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BrokerSettings(BaseSettings):
    """RabbitMQ and the consumers' queues: all that declaring a service's topology reads
    (``<service>-worker --declare-topology`` reads nothing else)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    consumer_prefetch: int = Field(default=32, ge=1)
    retry_delay_ms: int = Field(default=5_000, ge=1)
    max_delivery_attempts: int = Field(default=5, ge=1)


class ServiceSettings(BrokerSettings):
    """Database, broker, relay and consumer settings, with development defaults on localhost."""

    environment: Literal["dev", "test", "production"] = "dev"
    service_name: str

    database_url: str = "postgresql://postgres@127.0.0.1:5432/taskboard"
    database_pool_size: int = Field(
        default=10, ge=1, description="Engine pool; also the read pool's size."
    )
    database_max_overflow: int | None = Field(
        default=None,
        ge=0,
        description="Engine connections beyond the pool under load (unset: the pool's size).",
    )

    jwt_issuer: str = Field(default="taskboard-accounts", description="Access tokens' iss.")
    jwt_audience: str = Field(default="taskboard", description="Access tokens' aud.")
    token_revocation_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often each replica reloads the users' token revocations.",
    )

    # Only ``<service>-worker`` reads these (an HTTP process serves /metrics on its own port);
    # each service gives its own default port, so both workers fit on one machine.
    worker_metrics_host: str = Field(
        default="127.0.0.1", description="Where <service>-worker serves /metrics and /health."
    )
    worker_metrics_port: int = Field(
        ge=0,
        le=65535,
        description="<service>-worker's /metrics and /health port (0: any free port).",
    )

    run_consumers: bool = Field(default=True, description="Consume events in this process.")
    run_relay: bool = Field(default=True, description="Relay the outbox from this process.")
    relay_batch_size: int = Field(default=200, ge=1)
    relay_poll_interval_seconds: float = Field(default=1.0, gt=0)
    outbox_retention_hours: float = Field(
        default=168.0, gt=0, description="Published outbox rows are deleted after this long."
    )
    inbox_retention_hours: float = Field(
        default=168.0, gt=0, description="Inbox rows (processed message ids) kept this long."
    )
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    idempotency_key_ttl_hours: float = Field(
        default=24.0, ge=24.0, description="How long an Idempotency-Key's response is kept."
    )
