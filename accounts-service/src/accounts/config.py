"""Settings, read only from environment variables, with dev defaults pointing at localhost."""

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["dev", "test", "production"] = "dev"
    service_name: str = "accounts-service"

    database_url: str = "postgresql://postgres@127.0.0.1:5432/taskboard"
    database_pool_size: int = Field(default=10, ge=1)
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"

    jwt_private_key: SecretStr | None = Field(
        default=None, description="Ed25519 private key, PEM text."
    )
    jwt_private_key_file: Path | None = Field(
        default=None, description="File holding the Ed25519 private key (PEM)."
    )
    jwt_issuer: str = "taskboard-accounts"
    jwt_audience: str = "taskboard"
    access_token_ttl_seconds: int = Field(default=3600, ge=60)

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
    consumer_prefetch: int = Field(default=32, ge=1)
    retry_delay_ms: int = Field(default=5_000, ge=1)
    max_delivery_attempts: int = Field(default=5, ge=1)

    bcrypt_rounds: int = Field(default=12, ge=4, le=31)
    hashing_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    hashing_niceness: int = Field(
        default=5,
        ge=0,
        le=19,
        description="CPU niceness of the hashing threads (Linux): logins yield to quick requests.",
    )

    @model_validator(mode="after")
    def _key_required_outside_dev(self) -> "Settings":
        if self.environment != "dev" and self.private_key_pem is None:
            raise ValueError(
                "JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE must be set outside ENVIRONMENT=dev; "
                "refusing to start with a throw-away signing key."
            )
        return self

    @cached_property
    def private_key_pem(self) -> bytes | None:
        if self.jwt_private_key is not None:
            return self.jwt_private_key.get_secret_value().encode()
        if self.jwt_private_key_file is not None:
            if not self.jwt_private_key_file.is_file():
                raise ValueError(
                    f"JWT_PRIVATE_KEY_FILE={self.jwt_private_key_file} does not exist "
                    "(for development, 'make dev-keys' writes one)."
                )
            return self.jwt_private_key_file.read_bytes()
        return None
