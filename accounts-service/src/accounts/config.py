"""Settings, read only from environment variables, with dev defaults pointing at localhost."""

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, model_validator

from chassis import ServiceSettings


class Settings(ServiceSettings):
    """accounts-service configuration: the chassis's settings and accounts' own."""

    service_name: str = "accounts-service"
    worker_metrics_port: int = Field(
        default=8011, ge=0, le=65535, description="accounts-worker's /metrics port."
    )

    jwt_private_key: SecretStr | None = Field(
        default=None, description="Ed25519 private key, PEM text."
    )
    jwt_private_key_file: Path | None = Field(
        default=None, description="File holding the Ed25519 private key (PEM)."
    )
    access_token_ttl_seconds: int = Field(
        default=900,
        ge=60,
        le=86_400,  # revocations are kept in memory for a day: no token may outlive that
        description="Access-token lifetime: short, so a stolen token soon ends by itself.",
    )

    bcrypt_rounds: int = Field(default=12, ge=4, le=31)
    hashing_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    hashing_niceness: int = Field(
        default=5,
        ge=0,
        le=19,
        description="CPU niceness of the hashing threads (Linux): logins yield to quick requests.",
    )

    trusted_proxies: str = Field(
        default="127.0.0.1/32,::1/128",
        description="Addresses/networks of the gateway: only their X-Forwarded-For is believed.",
    )
    throttle_failed_logins_per_account: int = Field(default=5, ge=1)
    throttle_failed_logins_per_client: int = Field(default=20, ge=1)
    throttle_registrations_per_client: int = Field(default=10, ge=1)
    throttle_email_changes_per_client: int = Field(default=10, ge=1)
    throttle_base_delay_seconds: float = Field(default=1.0, gt=0)
    throttle_max_delay_seconds: float = Field(default=900.0, gt=0)
    throttle_forget_after_seconds: float = Field(default=3600.0, gt=0)

    hashing_queue: int = Field(
        default=16, ge=1, description="Password checks and hashes waiting or running at once."
    )
    hashing_reserved_for_logins: int = Field(
        default=8, ge=0, description="Of HASHING_QUEUE, slots registrations cannot take."
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
