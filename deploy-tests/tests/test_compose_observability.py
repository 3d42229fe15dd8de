"""(h) The `observability` profile of docker-compose.yml, checked without Docker: the collector,
Jaeger and Prometheus are pinned official images started only with the profile, publish only
their UIs on the loopback interface, and their configuration files (deploy/observability/)
fit the stack: the collector takes OTLP/HTTP where the services send it and hands traces to
Jaeger; Prometheus scrapes each process where it serves /metrics and loads the repository's
alerting rules."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from chassis import Telemetry
from chassis.telemetry.tracing import tracer_provider_from_environment
from gateway.admin import admin_app
from gateway.config import Settings as GatewaySettings

from .conftest import unavailable
from .stack import (
    COMPOSE_FILE,
    GATEWAY,
    REPO,
    SERVICES,
    compose,
    compose_service,
    compose_variables,
    depends_on,
    environment,
    published_ports,
    serves_get,
    settings_default,
)
from .test_ports import PORTS, app_of

PROFILE = "observability"
OBSERVABILITY = {"otel-collector", "jaeger", "prometheus"}
# What a user passes to trace the stack (README, docker-compose.yml's header).
COLLECTOR_ENDPOINT = "http://otel-collector:4318"
PINNED = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+:v?\d+\.\d+\.\d+$")
IMAGES = {
    "otel-collector": ("TASKBOARD_COLLECTOR_IMAGE", "otel/opentelemetry-collector"),
    "jaeger": ("TASKBOARD_JAEGER_IMAGE", "jaegertracing/jaeger"),
    "prometheus": ("TASKBOARD_PROMETHEUS_IMAGE", "prom/prometheus"),
}
README = (REPO / "README.md").read_text()


def mounted(name: str, target: str) -> Path:
    """The repository file a compose service bind-mounts read-only at ``target``."""
    for volume in compose_service(name).get("volumes", []):
        source, _, rest = volume.partition(":")
        path, _, mode = rest.partition(":")
        if path == target:
            assert mode == "ro", f"{name} mounts {target} writable"
            assert source.startswith("./")
            file = REPO / source
            assert file.is_file(), f"{name} mounts {source}, which does not exist"
            return file
    raise AssertionError(f"{name} mounts nothing at {target}")


def collector_config() -> dict[str, Any]:
    (command,) = [a for a in compose_service("otel-collector")["command"] if "--config" in a]
    config = yaml.safe_load(mounted("otel-collector", command.split("=", 1)[1]).read_text())
    assert isinstance(config, dict)
    return config


def prometheus_config() -> dict[str, Any]:
    config = yaml.safe_load(mounted("prometheus", "/etc/prometheus/prometheus.yml").read_text())
    assert isinstance(config, dict)
    return config


def test_the_profile_holds_the_collector_jaeger_and_prometheus_and_nothing_else_does() -> None:
    for name, service in compose()["services"].items():
        expected = [PROFILE] if name in OBSERVABILITY else None
        assert service.get("profiles") == expected, name
    for name in set(compose()["services"]) - OBSERVABILITY:
        # a service always started never waits for one started only with the profile
        assert not set(depends_on(name)) & OBSERVABILITY, name


def test_images_are_official_pinned_by_exact_version_and_variables() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for name, (variable, repository) in IMAGES.items():
        default = compose_variables()[variable]
        assert raw[name]["image"] == f"${{{variable}:-{default}}}"
        assert PINNED.match(default), f"{name}: {default} is not pinned to an exact version"
        assert default.split(":")[0] == repository


def test_only_the_uis_are_published_and_only_on_the_loopback_interface() -> None:
    assert published_ports("jaeger") == [("127.0.0.1", 16686, 16686)]
    assert published_ports("prometheus") == [("127.0.0.1", 9090, 9090)]
    assert not published_ports("otel-collector")
    assert compose_variables()["TASKBOARD_JAEGER_PORT"] == "16686"
    assert compose_variables()["TASKBOARD_PROMETHEUS_PORT"] == "9090"


@pytest.mark.parametrize("name", [s.name for s in SERVICES])
def test_tracing_is_off_unless_asked_and_then_goes_to_the_collector(name: str) -> None:
    """Compose cannot set a variable by profile: TASKBOARD_OTLP_ENDPOINT is empty by default,
    and an empty endpoint means no tracer at all (an absent collector costs nothing, logs
    nothing); given the collector's URL, the process exports OTLP/HTTP to it."""
    assert compose_variables()["TASKBOARD_OTLP_ENDPOINT"] == ""
    env = environment(name)
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == ""
    assert tracer_provider_from_environment(name, env) is None
    traced = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR_ENDPOINT}
    provider = tracer_provider_from_environment(name, traced)
    assert provider is not None
    provider.shutdown()
    endpoint = urlsplit(COLLECTOR_ENDPOINT)
    assert endpoint.hostname in OBSERVABILITY
    receiver = collector_config()["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert receiver == f"0.0.0.0:{endpoint.port}"
    assert f"TASKBOARD_OTLP_ENDPOINT={COLLECTOR_ENDPOINT}" in README


def test_every_process_of_the_stack_can_send_traces() -> None:
    """The gateway, both services and their migrations (the same environment) all name it."""
    for service in SERVICES:
        for name in service.compose_names():
            assert "OTEL_EXPORTER_OTLP_ENDPOINT" in environment(name), name


def test_the_collector_passes_otlp_traces_on_to_jaeger() -> None:
    config = collector_config()
    (pipeline,) = config["service"]["pipelines"].items()
    kind, steps = pipeline
    assert kind == "traces"
    assert steps["receivers"] == ["otlp"]
    for section in ("receivers", "processors", "exporters"):
        # every component a pipeline names is configured, and none is configured for nothing
        assert set(steps.get(section, [])) == set(config.get(section) or {}), section
    assert set(config["receivers"]["otlp"]["protocols"]) == {"http"}  # the services' protocol
    (exporter,) = steps["exporters"]
    assert exporter.split("/")[0] == "otlp"  # OTLP over gRPC
    settings = config["exporters"][exporter]
    target = urlsplit(f"//{settings['endpoint']}")
    assert (target.hostname, target.port) == ("jaeger", 4317)
    assert settings["tls"] == {"insecure": True}
    assert depends_on("otel-collector") == {"jaeger": "service_started"}
    # Jaeger's receivers listen beyond its loopback interface only when told so
    assert environment("jaeger")["JAEGER_LISTEN_HOST"] == "0.0.0.0"  # noqa: S104


def scrape_targets() -> dict[str, str]:
    targets: dict[str, str] = {}
    for job in prometheus_config()["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert job.get("scheme", "http") == "http"
        (static,) = job["static_configs"]
        (target,) = static["targets"]
        targets[job["job_name"]] = target
    return targets


def test_prometheus_scrapes_each_process_where_it_serves_metrics() -> None:
    admin_port = settings_default(GatewaySettings, "GATEWAY_ADMIN_PORT")
    expected = {
        **{s.name: f"{s.name}:{PORTS[s.name]}" for s in SERVICES if s is not GATEWAY},
        GATEWAY.name: f"{GATEWAY.name}:{admin_port}",  # the admin port, never the public one
        "prometheus": "127.0.0.1:9090",
    }
    assert scrape_targets() == expected
    for service in SERVICES:
        if service is not GATEWAY:
            assert serves_get(app_of(service), "/metrics"), service.name
    admin = admin_app(Telemetry.create("gateway", tracer_provider=None))
    assert "/metrics" in {r.resource.canonical for r in admin.router.routes() if r.resource}
    # the admin port listens where the public one does: on every interface of the container
    assert environment(GATEWAY.name)["GATEWAY_HOST"] == "0.0.0.0"  # noqa: S104
    assert "GATEWAY_ADMIN_PORT" not in environment(GATEWAY.name)


def rule_files() -> dict[str, Path]:
    """Each rule file the configuration names -> the repository file mounted there."""
    return {name: mounted("prometheus", name) for name in prometheus_config().get("rule_files", [])}


def test_the_alerting_rules_are_make_observes_mounted_read_only() -> None:
    assert rule_files() == {"/etc/prometheus/alerts.yml": REPO / "deploy/observability/alerts.yml"}


def test_promtool_accepts_the_compose_prometheus_configuration_and_its_rules(
    tmp_path: Path,
) -> None:
    """The file as the container reads it: its rule files at the paths of their mounts."""
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool is not installed (Debian's prometheus package)")
    config = prometheus_config()
    config["rule_files"] = [str(path) for path in rule_files().values()]
    checked = tmp_path / "prometheus.yml"
    checked.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(checked)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"SUCCESS: [1-9]\d* rules found", result.stdout), result.stdout
