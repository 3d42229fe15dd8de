"""Settings, read only from environment variables, with dev defaults pointing at localhost."""

from dataclasses import dataclass

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL


@dataclass(frozen=True, slots=True)
class Upstream:
    """A service behind the gateway: its name and origin (scheme, host, port; no path)."""

    name: str
    base_url: str


@dataclass(frozen=True, slots=True)
class Route:
    """Requests whose path is ``prefix`` or lies below it go to ``upstream``, path unchanged."""

    prefix: str
    upstream: Upstream


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
    access_log: bool = True

    # Named like the services' own settings that point at each other, without the prefix.
    accounts_url: str = Field(default="http://127.0.0.1:8001", validation_alias="ACCOUNTS_URL")
    projects_url: str = Field(default="http://127.0.0.1:8002", validation_alias="PROJECTS_URL")
    routes: dict[str, str] = Field(
        default={"/api/users": "accounts", "/api/projects": "projects"},
        description="Path prefix -> service name (JSON); matched on whole path segments.",
    )

    connect_timeout_seconds: float = Field(default=2.0, gt=0)
    read_timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    retries: int = Field(default=2, ge=0, le=10, description="Extra tries, GET/HEAD/OPTIONS only.")
    retry_backoff_seconds: float = Field(default=0.025, ge=0)
    upstream_pool_size: int = Field(default=200, ge=1)
    # Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection before the
    # service does: a POST on a connection the service just closed could not be retried.
    upstream_keepalive_seconds: float = Field(default=3.0, gt=0)

    health_timeout_seconds: float = Field(default=2.0, gt=0)
    openapi_timeout_seconds: float = Field(default=5.0, gt=0)
    openapi_cache_seconds: float = Field(default=60.0, ge=0)

    @field_validator("accounts_url", "projects_url")
    @classmethod
    def _origin_only(cls, value: str) -> str:
        url = URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{value!r} is not an http(s) URL")
        if url.path not in ("", "/") or url.query_string or url.fragment:
            raise ValueError(f"{value!r} must be an origin only (paths are passed through as-is)")
        return str(url.origin())

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
            "accounts": Upstream("accounts", self.accounts_url),
            "projects": Upstream("projects", self.projects_url),
        }

    @property
    def route_list(self) -> tuple[Route, ...]:
        services = self.services
        return tuple(Route(prefix, services[name]) for prefix, name in self.routes.items())
