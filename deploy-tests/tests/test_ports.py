"""(d) One port per service, the same everywhere: the code's defaults, the Dockerfile's EXPOSE and
CMD, compose's published ports, every healthcheck and every URL another service uses."""

import importlib

import pytest

from gateway import paths as gateway_paths
from gateway.config import Settings as GatewaySettings
from projects.config import Settings as ProjectsSettings

from .stack import (
    ACCOUNTS,
    GATEWAY,
    PROJECTS,
    SERVICES,
    Service,
    compose_service,
    compose_variables,
    environment,
    final_stage,
    healthcheck_urls,
    published_ports,
    serves_get,
    settings_default,
    url_port,
)


def default_ports() -> dict[str, int]:
    """The ports the code itself assumes on a developer machine (its settings' defaults)."""
    return {
        GATEWAY.name: settings_default(GatewaySettings, "GATEWAY_PORT"),
        ACCOUNTS.name: url_port(settings_default(GatewaySettings, "ACCOUNTS_URL")),
        PROJECTS.name: url_port(settings_default(GatewaySettings, "PROJECTS_URL")),
    }


PORTS = default_ports()


def test_the_code_defaults_are_the_documented_ports() -> None:
    assert PORTS == {"gateway": 8000, "accounts-service": 8001, "projects-service": 8002}
    assert url_port(settings_default(ProjectsSettings, "JWKS_URL")) == PORTS[ACCOUNTS.name]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_image_exposes_and_listens_on_the_services_port(service: Service) -> None:
    stage = final_stage(service)
    exposed = [int(port.split("/")[0]) for i in stage.all("EXPOSE") for port in i.args.split()]
    assert exposed == [PORTS[service.name]]
    cmd = stage.last("CMD")
    assert cmd is not None
    command = cmd.exec_form()
    if "--port" in command:
        listens = int(command[command.index("--port") + 1])
    else:  # the gateway reads its port from the environment
        listens = int({**stage.env(), **environment(service.name)}["GATEWAY_PORT"])
    assert listens == PORTS[service.name]


def test_compose_publishes_only_the_gateway_on_the_loopback_interface_by_default() -> None:
    """The gateway is the one public origin; its address and port are variables (a test stack
    beside `make run` takes another port), 127.0.0.1:8000 unless given."""
    port = PORTS[GATEWAY.name]
    assert published_ports(GATEWAY.name) == [("127.0.0.1", port, port)]
    assert compose_variables()["TASKBOARD_GATEWAY_ADDRESS"] == "127.0.0.1"
    assert compose_variables()["TASKBOARD_GATEWAY_PORT"] == str(port)


def test_nothing_else_is_published() -> None:
    for name in (
        "postgres",
        "rabbitmq",
        "accounts-migrate",
        "projects-migrate",
        "accounts-service",
        "projects-service",
    ):
        assert not compose_service(name).get("ports"), f"{name} publishes a port"


def app_of(service: Service) -> object:
    if service is GATEWAY:
        return gateway_paths
    module = importlib.import_module(f"{service.package}.entrypoints.http.app")
    return module.create_app()


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_image_healthcheck_asks_the_service_on_its_port(service: Service) -> None:
    check = final_stage(service).last("HEALTHCHECK")
    assert check is not None
    command = check.exec_form()
    assert command[:2] == ["python", "-c"]  # no curl in the slim image
    assert "urllib.request" in command[2]
    (url,) = healthcheck_urls(command)
    assert url.startswith("http://127.0.0.1:")
    assert url_port(url) == PORTS[service.name]
    assert url.endswith("/health")
    assert_served(service, "/health")


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_compose_healthcheck_asks_the_service_on_its_port(service: Service) -> None:
    test = compose_service(service.name)["healthcheck"]["test"]
    assert test[0] == "CMD"
    (url,) = healthcheck_urls(test)
    assert url.startswith("http://127.0.0.1:")
    assert url_port(url) == PORTS[service.name]
    path = "/" + url.split("/", 3)[3]
    # readiness for the services (database and broker up), the whole system's health for the gateway
    assert path == ("/health" if service is GATEWAY else "/health/ready")
    assert_served(service, path)


def assert_served(service: Service, path: str) -> None:
    app = app_of(service)
    if service is GATEWAY:
        assert path == app.HEALTH  # type: ignore[attr-defined]
    else:
        assert serves_get(app, path), f"{service.package} has no GET {path}"


def test_urls_between_services_use_the_services_ports() -> None:
    assert url_port(environment("projects-service")["JWKS_URL"]) == PORTS[ACCOUNTS.name]
    assert url_port(environment("gateway")["ACCOUNTS_URL"]) == PORTS[ACCOUNTS.name]
    assert url_port(environment("gateway")["PROJECTS_URL"]) == PORTS[PROJECTS.name]
