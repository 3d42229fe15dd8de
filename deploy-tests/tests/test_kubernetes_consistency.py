"""(i) deploy/kubernetes agrees with the code, the Dockerfiles, compose and itself: variables,
ports, probe paths, commands, images, connection strings, roles and broker permissions."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import pytest
from pydantic_settings import BaseSettings

from accounts.infrastructure.security.key_ring_files import write_key
from accounts.infrastructure.security.signing_key import SigningKey
from chassis import Telemetry
from chassis.http.metrics_server import metrics_app
from contracts import broker_permissions
from contracts.topology import CONSUMER_QUEUES
from gateway.admin import admin_app
from gateway.config import Settings as GatewaySettings

from .kube import (
    ACCOUNTS_UNIT,
    ENVIRONMENTS,
    GATEWAY_UNIT,
    INFRASTRUCTURE,
    MIGRATED_UNITS,
    PROJECTS_UNIT,
    SERVICE_UNITS,
    Unit,
    config_map,
    container_environment,
    find,
    one,
    pod_spec,
    secret_key_refs,
    workloads,
)
from .stack import (
    REPO,
    compose_service,
    final_stage,
    serves_get,
    settings_default,
)
from .test_ports import PORTS, app_of

if TYPE_CHECKING:
    from chassis import Platform

# Set only to build DATABASE_URL / AMQP_URL with $(VAR): the secret's password, URL-safe.
URL_PARTS = {"DATABASE_PASSWORD": "DATABASE_URL", "AMQP_PASSWORD": "AMQP_URL"}
EVERY = [pytest.param(u, e, id=f"{u.folder}-{e}") for u in SERVICE_UNITS for e in ENVIRONMENTS]
MIGRATED = [pytest.param(u, e, id=f"{u.folder}-{e}") for u in MIGRATED_UNITS for e in ENVIRONMENTS]
README = (REPO / "README.md").read_text()


def containers(unit: Unit, environment: str) -> list[tuple[str, dict[str, Any]]]:
    """(workload name, container) of every container and init container of the unit."""
    found = []
    for workload in workloads(unit, environment):
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            found.append((workload["metadata"]["name"], container))
    return found


def http(unit: Unit, environment: str) -> dict[str, Any]:
    assert unit.service is not None
    return one(unit, environment, "Deployment", unit.service.name)


def main_container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod_spec(workload)["containers"]
    assert isinstance(container, dict)
    return container


def env_value(container: dict[str, Any], name: str) -> str | None:
    values = [v.get("value") for v in container.get("env", []) if v["name"] == name]
    return values[-1] if values else None


def fake_secrets(unit: Unit, environment: str) -> dict[tuple[str, str], str]:
    refs: dict[tuple[str, str], str] = {}
    for _, container in containers(unit, environment):
        for secret, key in secret_key_refs(container).values():
            refs[(secret, key)] = f"{secret}-0123abcd"
    return refs


def cpu_cores(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


# --- environment --------------------------------------------------------------------------------


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_every_variable_set_is_read_by_the_service(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    known = unit.service.reads_environment()
    for workload, container in containers(unit, environment):
        env = container_environment(unit, environment, container, fake_secrets(unit, environment))
        unknown = set(env) - known - set(URL_PARTS)
        assert not unknown, f"{workload}/{container['name']} sets {sorted(unknown)}, never read"
        for part, url in URL_PARTS.items():
            if part in env:
                assert f"$({part})" in (env_value(container, url) or ""), (workload, part)


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_the_settings_load_from_each_containers_environment(
    unit: Unit, environment: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert unit.service is not None
    cls: type[BaseSettings] = unit.service.settings_class()
    key = tmp_path / "private-key.pem"
    key.write_bytes(SigningKey.generate().to_pem())
    ring = tmp_path / "ring"
    write_key(ring, SigningKey.generate(), datetime(2026, 1, 1, tzinfo=UTC))
    for workload, container in containers(unit, environment):
        if container["name"] == "wait-for-migration":
            # runs `alembic current`, whose env reads DATABASE_URL alone (dev settings otherwise)
            assert "DATABASE_URL" in {v["name"] for v in container["env"]}
            continue
        for variable in list(os.environ):
            monkeypatch.delenv(variable)
        env = {
            **final_stage(unit.service).env(),
            **container_environment(unit, environment, container, fake_secrets(unit, environment)),
        }
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        for name, value in env.items():
            if name.endswith("_FILE"):
                assert str(Path(value).parent) in mounts, f"{workload}: {value} is not mounted"
                value = str(key)  # noqa: PLW2901 - the stand-in for the mounted secret
            if name.endswith("_DIR"):
                assert value in mounts, f"{workload}: {value} is not mounted"
                value = str(ring)  # noqa: PLW2901 - the stand-in for the mounted secret
            monkeypatch.setenv(name, value)
        settings = cls()
        if "environment" in cls.model_fields:
            assert settings.environment == "production", workload  # type: ignore[attr-defined]


def test_accounts_hashes_on_no_more_threads_than_its_cpu_limit() -> None:
    for environment in ENVIRONMENTS:
        threads = int(config_map(ACCOUNTS_UNIT, environment, "accounts-service")["HASHING_THREADS"])
        limit = main_container(http(ACCOUNTS_UNIT, environment))["resources"]["limits"]["cpu"]
        assert threads <= max(1, int(cpu_cores(limit)))


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_secrets_are_referenced_by_name_and_listed_in_the_readme(
    unit: Unit, environment: str
) -> None:
    names = {
        secret
        for _, c in containers(unit, environment)
        for secret, _ in secret_key_refs(c).values()
    }
    for workload in workloads(unit, environment):
        names |= {
            v["secret"]["secretName"]
            for v in pod_spec(workload).get("volumes", [])
            if "secret" in v
        }
    for name in names:
        assert f"`{name}`" in README, f"README does not say how to create the Secret {name}"


# --- ports, probes, commands, images ------------------------------------------------------------


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_the_service_port_is_the_codes_everywhere(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    port = PORTS[unit.service.name]
    container = main_container(http(unit, environment))
    # (and the gateway's admin port, named metrics: see the test of the pods' scraping)
    assert container["ports"][0] == {"name": "http", "containerPort": port, "protocol": "TCP"}
    assert [p["name"] for p in container["ports"][1:]] == (
        ["metrics"] if unit is GATEWAY_UNIT else []
    )
    service = one(unit, environment, "Service", unit.service.name)
    assert service["spec"]["ports"] == [
        {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}
    ]
    assert service["spec"]["selector"] == http(unit, environment)["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_probes_ask_the_real_health_endpoints(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    container = main_container(http(unit, environment))
    probes = {kind: container[f"{kind}Probe"] for kind in ("startup", "liveness", "readiness")}
    if unit is GATEWAY_UNIT:
        # its /health is the whole system's: see the comment in gateway/base/deployment.yaml
        assert all(p == {**p, "tcpSocket": {"port": "http"}} for p in probes.values())
        return
    paths = {kind: probe["httpGet"]["path"] for kind, probe in probes.items()}
    assert paths == {"startup": "/health", "liveness": "/health", "readiness": "/health/ready"}
    assert all(probe["httpGet"]["port"] == "http" for probe in probes.values())
    app = app_of(unit.service)
    assert all(serves_get(app, path) for path in paths.values())


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_http_pods_run_the_images_own_command(unit: Unit, environment: str) -> None:
    container = main_container(http(unit, environment))
    assert "command" not in container
    assert "args" not in container


@pytest.mark.parametrize(("unit", "environment"), MIGRATED)
def test_the_migration_job_runs_what_compose_runs(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    assert unit.service.migrate is not None
    job = one(unit, environment, "Job", unit.service.migrate)
    assert main_container(job)["command"] == compose_service(unit.service.migrate)["command"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    # the new version waits for this Job's schema head before serving
    for workload in find(unit, environment, "Deployment"):
        (wait,) = pod_spec(workload)["initContainers"]
        script = wait["command"][2]
        assert wait["command"][:2] == ["sh", "-c"]
        assert "alembic current" in script
        assert "(head)" in script
        assert wait["image"] == main_container(workload)["image"]


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_images_are_ours_by_the_compose_name(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    compose_image = compose_service(unit.service.name)["image"]
    name, _, compose_tag = compose_image.rpartition(":")
    for workload, container in containers(unit, environment):
        image_name, _, tag = container["image"].rpartition(":")
        assert image_name == name, workload
        assert tag
        assert tag != "latest"
        if environment == "dev":
            assert tag == compose_tag  # what `make up` builds
            assert container["imagePullPolicy"] == "IfNotPresent"
        else:
            assert container["imagePullPolicy"] == "Always"


# --- replicas, workers, hardening ---------------------------------------------------------------


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_two_replicas_at_least_and_rolls_without_losing_capacity(
    unit: Unit, environment: str
) -> None:
    assert unit.service is not None
    deployment = http(unit, environment)
    assert "replicas" not in deployment["spec"]  # the autoscaler owns it
    hpa = one(unit, environment, "HorizontalPodAutoscaler", unit.service.name)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": unit.service.name,
    }
    assert hpa["spec"]["minReplicas"] >= 2
    for workload in find(unit, environment, "Deployment"):
        rolling = workload["spec"]["strategy"]["rollingUpdate"]
        assert rolling == {"maxSurge": 1, "maxUnavailable": 0}
        budget = [
            p
            for p in find(unit, environment, "PodDisruptionBudget")
            if p["spec"]["selector"] == workload["spec"]["selector"]
        ]
        assert len(budget) == 1, workload["metadata"]["name"]
        if workload["metadata"]["name"] != deployment["metadata"]["name"]:
            assert workload["spec"]["replicas"] >= 2


@pytest.mark.parametrize("unit", MIGRATED_UNITS, ids=lambda u: u.folder)
def test_production_splits_relay_and_consumers_from_http(unit: Unit) -> None:
    assert unit.service is not None
    worker_name = f"{unit.service.package}-worker"
    for environment, in_http in (("dev", "true"), ("production", "false")):
        container = main_container(http(unit, environment))
        assert env_value(container, "RUN_RELAY") == in_http
        assert env_value(container, "RUN_CONSUMERS") == in_http
        workers = find(unit, environment, "Deployment", worker_name)
        assert len(workers) == (environment == "production")
    worker = main_container(one(unit, "production", "Deployment", worker_name))
    assert worker["command"] == [worker_name]
    assert worker_name in unit.service.scripts
    assert env_value(worker, "RUN_RELAY") == env_value(worker, "RUN_CONSUMERS") == "true"


@pytest.mark.parametrize("unit", MIGRATED_UNITS, ids=lambda u: u.folder)
def test_each_worker_pod_serves_its_metrics_where_prometheus_may_scrape(unit: Unit) -> None:
    """The worker's /metrics port is the code's default, on the pod's address, announced to
    Prometheus's pod discovery, and the monitoring namespace is let in to that port only."""
    assert unit.service is not None
    port = settings_default(unit.service.settings_class(), "WORKER_METRICS_PORT")
    assert port not in PORTS.values()
    workload = one(unit, "production", "Deployment", f"{unit.service.package}-worker")
    worker = main_container(workload)
    assert worker["ports"] == [{"name": "metrics", "containerPort": port, "protocol": "TCP"}]
    assert env_value(worker, "WORKER_METRICS_HOST") == "0.0.0.0"  # noqa: S104
    assert env_value(worker, "WORKER_METRICS_PORT") is None  # the default, as checked above
    assert workload["spec"]["template"]["metadata"]["annotations"] == scrape_annotations(port)
    pod = pod_labels(unit, "worker")
    assert port in admitted_from_monitoring(unit, "production", pod)
    assert not allows(unit, pod, "ingress", pod_labels(GATEWAY_UNIT), port)


@pytest.mark.parametrize("unit", MIGRATED_UNITS, ids=lambda u: u.folder)
def test_worker_probes_ask_the_workers_own_health_endpoints(unit: Unit) -> None:
    """Liveness and startup on /health, readiness on /health/ready (the worker's consumers and
    relay), on the worker's metrics port, which serves exactly these (chassis metrics_app)."""
    assert unit.service is not None
    worker = main_container(one(unit, "production", "Deployment", f"{unit.service.package}-worker"))
    probes = {
        kind: worker[f"{kind}Probe"]["httpGet"] for kind in ("startup", "liveness", "readiness")
    }
    assert probes == {
        "startup": {"path": "/health", "port": "metrics"},
        "liveness": {"path": "/health", "port": "metrics"},
        "readiness": {"path": "/health/ready", "port": "metrics"},
    }
    app = metrics_app(cast("Platform", None))  # routes only: the platform is read per request
    assert all(serves_get(app, path) for path in ("/health", "/health/ready", "/metrics"))


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_each_http_pod_announces_its_metrics_where_only_monitoring_may_scrape(
    unit: Unit, environment: str
) -> None:
    """The services on their own port, the gateway on its admin port (GATEWAY_ADMIN_PORT's
    default, on GATEWAY_HOST like the public port), both as the worker pods are scraped."""
    assert unit.service is not None
    workload = http(unit, environment)
    container = main_container(workload)
    if unit is GATEWAY_UNIT:
        port = settings_default(GatewaySettings, "GATEWAY_ADMIN_PORT")
        assert {"name": "metrics", "containerPort": port, "protocol": "TCP"} in container["ports"]
        assert config_map(unit, environment, "gateway")["GATEWAY_HOST"] == "0.0.0.0"  # noqa: S104
        assert "GATEWAY_ADMIN_PORT" not in config_map(unit, environment, "gateway")
        admin = admin_app(Telemetry.create("gateway", tracer_provider=None))
        assert "/metrics" in {r.resource.canonical for r in admin.router.routes() if r.resource}
        # the public port is the ingress controller's only
        assert not admitted_from_monitoring(unit, environment, pod_labels(unit)) & {
            PORTS["gateway"]
        }
    else:
        port = PORTS[unit.service.name]
        assert serves_get(app_of(unit.service), "/metrics")
    assert workload["spec"]["template"]["metadata"]["annotations"] == scrape_annotations(port)
    assert port in admitted_from_monitoring(unit, environment, pod_labels(unit))


def scrape_annotations(port: int) -> dict[str, str]:
    return {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port),
        "prometheus.io/path": "/metrics",
    }


def admitted_from_monitoring(unit: Unit, environment: str, pod: dict[str, str]) -> set[int]:
    monitoring = {"kubernetes.io/metadata.name": "monitoring"}
    return {
        port_number
        for policy in find(unit, environment, "NetworkPolicy")
        if policy["spec"]["podSelector"]["matchLabels"].items() <= pod.items()
        for peer, ports in peers(policy, "ingress")
        if peer.get("namespaceSelector", {}).get("matchLabels") == monitoring
        for port_number in ports
    }


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_every_pod_is_locked_down(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    user = final_stage(unit.service).last("USER")
    assert user is not None
    uid = int(user.args.split(":")[0])
    for workload in workloads(unit, environment):
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False
        assert spec["serviceAccountName"] == unit.service.name
        context = spec["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == uid
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    for workload, container in containers(unit, environment):
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, workload
        assert set(container["resources"]) == {"requests", "limits"}, workload
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}, workload
    account = one(unit, environment, "ServiceAccount", unit.service.name)
    assert account["automountServiceAccountToken"] is False


# --- the services against the infrastructure ----------------------------------------------------


def postgres(environment: str) -> dict[str, Any]:
    (cluster,) = find(INFRASTRUCTURE, environment, "Cluster")
    return cluster


def rabbitmq(environment: str) -> dict[str, Any]:
    (cluster,) = find(INFRASTRUCTURE, environment, "RabbitmqCluster")
    return cluster


@pytest.mark.parametrize(("unit", "environment"), MIGRATED)
def test_each_service_connects_as_its_own_role_and_user(unit: Unit, environment: str) -> None:
    assert unit.service is not None
    role = unit.service.package
    cluster = postgres(environment)
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    users = {u["metadata"]["name"]: u for u in find(INFRASTRUCTURE, environment, "User")}
    for workload, container in containers(unit, environment):
        refs = secret_key_refs(container)
        env = container_environment(unit, environment, container, fake_secrets(unit, environment))
        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme == "postgresql"
        assert (database.hostname, database.port) == (f"{cluster['metadata']['name']}-rw", 5432)
        assert database.path == "/" + cluster["spec"]["bootstrap"]["initdb"]["database"]
        assert database.username == role, workload
        assert refs["DATABASE_PASSWORD"] == (roles[role]["passwordSecret"]["name"], "password")
        assert roles[role]["login"] is True
        broker = urlsplit(env["AMQP_URL"])
        assert (broker.scheme, broker.hostname, broker.port, broker.path) == (
            "amqp",
            rabbitmq(environment)["metadata"]["name"],
            5672,
            "/",
        )
        assert broker.username == role, workload
        assert refs["AMQP_PASSWORD"] == (
            users[role]["spec"]["importCredentialsSecret"]["name"],
            "password",
        )


def test_the_database_is_prepared_as_the_compose_init_script_prepares_it() -> None:
    init = " ".join((REPO / "docker" / "postgres" / "init.sh").read_text().split())
    for environment in ENVIRONMENTS:
        statements = postgres(environment)["spec"]["bootstrap"]["initdb"]["postInitApplicationSQL"]
        assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in statements
        for unit in MIGRATED_UNITS:
            assert unit.service is not None
            name = unit.service.package  # role and schema (test_postgres_init: they are equal)
            for statement in (
                f"CREATE SCHEMA {name} AUTHORIZATION {name};",
                f"REVOKE ALL ON SCHEMA {name} FROM PUBLIC;",
            ):
                assert statement in statements
                assert statement in init
            assert f"CREATE ROLE {name} LOGIN;" in statements
        grant = "GRANT CONNECT, TEMPORARY, CREATE ON DATABASE taskboard TO accounts, projects;"
        assert grant in statements


def test_every_replica_fits_in_its_roles_connection_limit() -> None:
    """Per process: the pool, as many overflow, the read pool (3 x DATABASE_POOL_SIZE) and one
    LISTEN connection; at most every HTTP replica, every worker, the Job and one surge pod."""
    cluster = postgres("production")
    limits = {r["name"]: r["connectionLimit"] for r in cluster["spec"]["managed"]["roles"]}
    for unit in MIGRATED_UNITS:
        assert unit.service is not None
        pool = int(config_map(unit, "production", unit.service.name)["DATABASE_POOL_SIZE"])
        hpa = one(unit, "production", "HorizontalPodAutoscaler", unit.service.name)
        processes = hpa["spec"]["maxReplicas"] + 1 + 1  # + the migration Job + a surge pod
        processes += sum(
            d["spec"].get("replicas", 0) for d in find(unit, "production", "Deployment")
        )
        assert processes * (3 * pool + 1) <= limits[unit.service.package]
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    assert sum(limits.values()) + 10 <= max_connections  # room for the operator and replicas


def resources_of(unit: Unit) -> tuple[set[str], set[str]]:
    """(exchanges, queues) a service owns, from contracts: its exchange, its queues."""
    assert unit.service is not None
    package = unit.service.package
    exchanges = {f"{package}.events"}
    queues = {
        name
        for queue in CONSUMER_QUEUES
        if queue.name.startswith(package + ".")
        for name in (
            queue.name,
            queue.retry_queue,
            queue.dead_letter_queue,
            *(old for generation in queue.retired_queues for old in generation),
        )
    }
    return exchanges, queues


def test_broker_permissions_reach_only_what_each_service_needs() -> None:
    permissions = {
        p["metadata"]["name"]: p["spec"]["permissions"]
        for p in find(INFRASTRUCTURE, "production", "Permission")
    }
    for unit, other in ((ACCOUNTS_UNIT, PROJECTS_UNIT), (PROJECTS_UNIT, ACCOUNTS_UNIT)):
        assert unit.service is not None
        exchanges, queues = resources_of(unit)
        their_exchanges, their_queues = resources_of(other)
        sources = {q.exchange for q in CONSUMER_QUEUES if q.name in queues}
        allowed = {
            "configure": exchanges | queues | sources,  # a consumer declares its source exchange
            "write": exchanges | queues | {"amq.default"},  # DLQ through the default exchange
            "read": queues | sources,  # queue.bind reads the source exchange
        }
        for kind, pattern in permissions[unit.service.package].items():
            matcher = re.compile(pattern)
            for name in allowed[kind]:
                assert matcher.search(name), f"{unit.folder} {kind} misses {name}"
            for name in (their_exchanges | their_queues | {"amq.topic", "x"}) - allowed[kind]:
                assert not matcher.search(name), f"{unit.folder} may {kind} {name}"


def test_broker_permissions_are_those_of_contracts_in_both_deployments() -> None:
    """One source (contracts.broker_permissions, also what make logins grants); the files are
    rewritten from it with `python scripts/broker_permissions.py --write`."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "broker_permissions.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    permissions = {
        p["metadata"]["name"]: p["spec"]["permissions"]
        for p in find(INFRASTRUCTURE, "production", "Permission")
    }
    for service in ("accounts", "projects"):
        expected = broker_permissions(service)
        assert permissions[service] == {
            "configure": expected.configure,
            "write": expected.write,
            "read": expected.read,
        }


def peers(policy: dict[str, Any], direction: str) -> list[tuple[dict[str, Any], set[int]]]:
    key = "from" if direction == "ingress" else "to"
    return [
        (peer, {p["port"] for p in rule.get("ports", [])})
        for rule in policy["spec"].get(direction, [])
        for peer in rule.get(key, [{}])
    ]


def allows(
    unit: Unit, pod: dict[str, str], direction: str, peer: dict[str, str], port: int
) -> bool:
    for environment in ENVIRONMENTS:
        for policy in find(unit, environment, "NetworkPolicy"):
            selector = policy["spec"]["podSelector"].get("matchLabels", {})
            if not selector.items() <= pod.items():
                continue
            for candidate, ports in peers(policy, direction):
                labels = candidate.get("podSelector", {}).get("matchLabels", {})
                if "namespaceSelector" in candidate or not labels.items() <= peer.items():
                    continue
                if not ports or port in ports:
                    return True
    return False


def pod_labels(unit: Unit, component: str = "http") -> dict[str, str]:
    assert unit.service is not None
    return {"app.kubernetes.io/name": unit.service.name, "app.kubernetes.io/component": component}


def test_network_policies_allow_what_the_design_needs() -> None:
    accounts, projects, gateway = (pod_labels(u) for u in SERVICE_UNITS)
    needed = [
        (gateway, accounts, PORTS["accounts-service"]),
        (gateway, projects, PORTS["projects-service"]),
        (projects, accounts, PORTS["accounts-service"]),  # the JWKS
    ]
    units = {
        "gateway": GATEWAY_UNIT,
        "accounts-service": ACCOUNTS_UNIT,
        "projects-service": PROJECTS_UNIT,
    }
    for source, target, port in needed:
        assert allows(units[source["app.kubernetes.io/name"]], source, "egress", target, port)
        assert allows(units[target["app.kubernetes.io/name"]], target, "ingress", source, port)
    (cluster,) = [postgres("production")]
    database = {"cnpg.io/cluster": cluster["metadata"]["name"]}
    broker = {"app.kubernetes.io/name": rabbitmq("production")["metadata"]["name"]}
    for unit in MIGRATED_UNITS:
        for component in ("http", "worker", "migration"):
            pod = pod_labels(unit, component)
            assert allows(unit, pod, "egress", database, 5432)
            assert allows(unit, pod, "egress", broker, 5672)
            assert allows(INFRASTRUCTURE, database, "ingress", pod, 5432)
            assert allows(INFRASTRUCTURE, broker, "ingress", pod, 5672)
    # and nothing else reaches accounts: gateway -> projects' workers, or accounts -> projects
    assert not allows(PROJECTS_UNIT, pod_labels(PROJECTS_UNIT, "worker"), "ingress", gateway, 8002)
    assert not allows(ACCOUNTS_UNIT, accounts, "egress", projects, 8002)
    (deny,) = find(INFRASTRUCTURE, "production", "NetworkPolicy", "default-deny")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_the_signing_key_ring_is_mounted_whole_so_a_rotated_secret_arrives_without_restart() -> (
    None
):
    for environment in ENVIRONMENTS:
        directory = config_map(ACCOUNTS_UNIT, environment, "accounts-service")["SIGNING_KEYS_DIR"]
        for workload in workloads(ACCOUNTS_UNIT, environment):
            spec = pod_spec(workload)
            volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
            for container in spec.get("initContainers", []) + spec["containers"]:
                if container["name"] == "wait-for-migration":
                    continue
                (mount,) = [
                    m for m in container.get("volumeMounts", []) if m["mountPath"] == directory
                ]
                assert "subPath" not in mount, workload  # a subPath mount is never updated
                secret = volumes[mount["name"]]["secret"]
                # every key of the Secret is a key of the ring: none left out by `items`
                assert (secret["secretName"], "items" in secret) == ("accounts-jwt", False)
