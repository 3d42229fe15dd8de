"""Settings, read only from environment variables, with dev defaults pointing at localhost."""

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from yarl import URL

from chassis.http.client_address import trusted_networks


@dataclass(frozen=True, slots=True)
class Upstream:
    """A service behind the gateway: its name and the origins of its replicas (no path)."""

    name: str
    base_urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Route:
    """Requests whose path is ``prefix`` or lies below it go to ``upstream``, path unchanged."""

    prefix: str
    upstream: Upstream


# A comma separated list in the environment (`ACCOUNTS_URLS=http://a:8001,http://b:8001`),
# not JSON: NoDecode hands the raw string to the validator below.
CommaList = Annotated[tuple[str, ...], NoDecode]


class Settings(BaseSettings):
    """The gateway's configuration: listen address, routing table, limits and timeouts."""

    # GATEWAY_HOST, GATEWAY_MAX_BODY_BYTES, ...: one environment can serve every process of
    # `make run` without the gateway's knobs clashing with a service's.
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", extra="ignore", frozen=True, populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    reuse_port: bool = Field(default=False, description="Let several processes share the port.")
    admin_port: int = Field(
        default=8010, ge=0, le=65535, description="Internal port of /metrics (never public)."
    )
    access_log: bool = True

    # Named like the services' own settings that point at each other, without the prefix.
    # The list wins when set; the single URL keeps older environments working.
    accounts_url: str = Field(default="http://127.0.0.1:8001", validation_alias="ACCOUNTS_URL")
    projects_url: str = Field(default="http://127.0.0.1:8002", validation_alias="PROJECTS_URL")
    accounts_urls: CommaList = Field(default=(), validation_alias="ACCOUNTS_URLS")
    projects_urls: CommaList = Field(default=(), validation_alias="PROJECTS_URLS")
    routes: dict[str, str] = Field(
        default={"/api/users": "accounts", "/api/projects": "projects"},
        description="Path prefix -> service name (JSON); matched on whole path segments.",
    )
    # The origin clients use (https://taskboard.example). The services see its host, never
    # the one a client wrote in its Host header; unset, they see their own address.
    public_origin: str | None = None
    # Proxies in front of the gateway (an ingress controller) whose X-Forwarded-For names the
    # client: from these peers the last address there is the client's, for everyone else the
    # peer is. None by default: the gateway is the edge (make run, compose).
    trusted_proxies: str = Field(
        default="", description="Addresses/networks of the proxies in front of the gateway."
    )

    connect_timeout_seconds: float = Field(default=2.0, gt=0)
    read_timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    # Bodies declared this small are read whole before a service is contacted, so a slow
    # uploader holds no upstream connection, and the body can be sent again to a replica.
    buffer_body_bytes: int = Field(default=64 * 1024, ge=0)
    retries: int = Field(default=2, ge=0, le=10, description="Extra tries on connect failures.")
    retry_backoff_seconds: float = Field(default=0.025, ge=0)
    replica_cooldown_seconds: float = Field(default=2.0, ge=0)
    upstream_pool_size: int = Field(default=100, ge=1, description="Connections per service.")
    # Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection before the
    # service does: a POST on a connection the service just closed could not be retried.
    upstream_keepalive_seconds: float = Field(default=3.0, gt=0)

    # Clients: a connection must deliver a whole request head within this time of opening
    # or of its previous answer (idle keep-alive and slow headers alike), and may not pause
    # longer than the body timeout while sending a body.
    idle_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    max_connections: int = Field(default=1024, ge=1)
    max_connections_per_client: int = Field(default=64, ge=1)
    cors_origins: CommaList = Field(default=(), description="Origins allowed by CORS; none: off.")

    health_timeout_seconds: float = Field(default=2.0, gt=0)
    health_interval_seconds: float = Field(default=1.0, gt=0)
    openapi_timeout_seconds: float = Field(default=5.0, gt=0)
    openapi_cache_seconds: float = Field(default=60.0, ge=0)

    @field_validator("accounts_urls", "projects_urls", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        trusted_networks(value)  # a bad entry is refused at start
        return value

    @field_validator("accounts_url", "projects_url", "public_origin")
    @classmethod
    def _one_origin(cls, value: str | None) -> str | None:
        return None if value is None else _origin_only(value)

    @field_validator("accounts_urls", "projects_urls", "cors_origins")
    @classmethod
    def _origins(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_origin_only(value) for value in values)

    @model_validator(mode="after")
    def _routes_are_sane(self) -> "Settings":
        known = self.services
        for prefix, service in self.routes.items():
            if not prefix.startswith("/") or prefix.endswith("/"):
                raise ValueError(f"route prefix {prefix!r} must start and not end with '/'")
            if service not in known:
                raise ValueError(f"route {prefix!r} names unknown service {service!r}")
        return self

    @property
    def services(self) -> dict[str, Upstream]:
        return {
            "accounts": Upstream("accounts", self.accounts_urls or (self.accounts_url,)),
            "projects": Upstream("projects", self.projects_urls or (self.projects_url,)),
        }

    @property
    def route_list(self) -> tuple[Route, ...]:
        services = self.services
        return tuple(Route(prefix, services[name]) for prefix, name in self.routes.items())


def _origin_only(value: str) -> str:
    url = URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{value!r} is not an http(s) URL")
    if url.path not in ("", "/") or url.query_string or url.fragment:
        raise ValueError(f"{value!r} must be an origin only (paths are passed through as-is)")
    return str(url.origin())
