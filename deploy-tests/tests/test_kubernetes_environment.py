"""(i) Every environment variable a process of ours reads — its settings, and what its code reads
from the environment itself (the chassis's ``LOG_FORMAT``, the ``OTEL_*`` of its tracing) — is set
by the Kubernetes manifests or the image, or is left at the code's default on purpose: DEFAULTED
says which and why. A new setting fails here until a manifest sets it or a line below says why
not."""

from collections import defaultdict

import pytest

from .kube import ENVIRONMENTS, SERVICE_UNITS, Unit, container_environment, pod_spec, workloads
from .stack import SERVICES, final_stage

TRACING = "tracing stays off until an overlay names a collector (none in these manifests)"
RETENTION = "the retention the README documents (a week of outbox and inbox, a day of keys)"
README_DEFAULT = "the code's default, as the README's settings table gives it"
NOT_IN_THE_JOB = "every Deployment sets it; the migration Job neither relays nor consumes"
RING = "the key ring (SIGNING_KEYS_DIR) is mounted; a single key beside it is refused"

# name -> why the code's default is the right one in Kubernetes
DEFAULTED: dict[str, str] = {
    # every service built on the chassis
    "SERVICE_NAME": "each service's own name (accounts, projects), also its telemetry name",
    "CONSUMER_PREFETCH": README_DEFAULT,
    "RETRY_DELAY_MS": "5 s between delivery attempts, as in compose",
    "MAX_DELIVERY_ATTEMPTS": "5 attempts, then the dead-letter queue, as in compose",
    "DATABASE_MAX_OVERFLOW": (
        "the pool's size: 3 x DATABASE_POOL_SIZE + 1 per process, what the roles' "
        "connectionLimit is sized for (test_every_replica_fits_in_its_roles_connection_limit)"
    ),
    "RELAY_BATCH_SIZE": README_DEFAULT,
    "RELAY_POLL_INTERVAL_SECONDS": "LISTEN/NOTIFY wakes the relay; the 1 s poll is the safety net",
    "OUTBOX_RETENTION_HOURS": RETENTION,
    "INBOX_RETENTION_HOURS": RETENTION,
    "IDEMPOTENCY_KEY_TTL_HOURS": RETENTION,
    "RETENTION_INTERVAL_SECONDS": RETENTION,
    "TOKEN_REVOCATION_REFRESH_SECONDS": README_DEFAULT,
    "RUN_RELAY": NOT_IN_THE_JOB,
    "RUN_CONSUMERS": NOT_IN_THE_JOB,
    "WORKER_METRICS_PORT": (
        "the code's default (8011, 8012), which the worker's containerPort, probes and "
        "annotations name (test_kubernetes_consistency)"
    ),
    "WORKER_METRICS_HOST": "read by <service>-worker alone, whose container sets 0.0.0.0",
    "OTEL_SDK_DISABLED": TRACING,
    "OTEL_TRACES_EXPORTER": TRACING,
    "OTEL_EXPORTER_OTLP_ENDPOINT": TRACING,
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": TRACING,
    "OTEL_EXPORTER_OTLP_PROTOCOL": TRACING,
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": TRACING,
    "OTEL_SERVICE_NAME": "the service's own name (SERVICE_NAME's default)",
    # accounts
    "JWT_PRIVATE_KEY": RING,
    "JWT_PRIVATE_KEY_FILE": RING,
    "SIGNING_KEYS_RELOAD_SECONDS": "10 s, well within the kubelet's sync of a rotated Secret",
    "ACCESS_TOKEN_TTL_SECONDS": README_DEFAULT,
    "BCRYPT_ROUNDS": "12, production's cost (only tests lower it)",
    "HASHING_NICENESS": README_DEFAULT,
    "HASHING_QUEUE": README_DEFAULT,
    "HASHING_RESERVED_FOR_LOGINS": README_DEFAULT,
    "THROTTLE_BASE_DELAY_SECONDS": README_DEFAULT,
    "THROTTLE_MAX_DELAY_SECONDS": README_DEFAULT,
    "THROTTLE_FORGET_AFTER_SECONDS": README_DEFAULT,
    "THROTTLE_FAILED_LOGINS_PER_ACCOUNT": README_DEFAULT,
    "THROTTLE_FAILED_LOGINS_PER_CLIENT": README_DEFAULT,
    "THROTTLE_REGISTRATIONS_PER_CLIENT": README_DEFAULT,
    "THROTTLE_EMAIL_CHANGES_PER_CLIENT": README_DEFAULT,
    # projects
    "JWKS_CACHE_SECONDS": README_DEFAULT,
    "JWKS_MIN_REFRESH_SECONDS": README_DEFAULT,
    "JWKS_TIMEOUT_SECONDS": README_DEFAULT,
    # gateway
    "ACCOUNTS_URLS": "one URL per service (ACCOUNTS_URL): its Service balances across the pods",
    "PROJECTS_URLS": "one URL per service (PROJECTS_URL): its Service balances across the pods",
    "GATEWAY_ADMIN_PORT": (
        "the code's default 8010, which the metrics containerPort, the scrape annotation and "
        "the NetworkPolicy name (test_kubernetes_consistency)"
    ),
    "GATEWAY_ROUTES": "/api/users to accounts, /api/projects to projects: the design's routes",
    "GATEWAY_PUBLIC_ORIGIN": "unset: the gateway's answers name the origin the client asked",
    "GATEWAY_CORS_ORIGINS": "no browser origin besides the gateway's own: CORS stays off",
    "GATEWAY_REUSE_PORT": "one gateway process per pod",
    "GATEWAY_ACCESS_LOG": "one access line per request, as everywhere",
    "GATEWAY_BODY_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_BUFFER_BODY_BYTES": README_DEFAULT,
    "GATEWAY_CONNECT_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_HEALTH_INTERVAL_SECONDS": README_DEFAULT,
    "GATEWAY_HEALTH_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_IDLE_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_MAX_BODY_BYTES": README_DEFAULT,
    "GATEWAY_MAX_CONNECTIONS": README_DEFAULT,
    "GATEWAY_MAX_CONNECTIONS_PER_CLIENT": "64 (README, Deploy to Kubernetes: what it means here)",
    "GATEWAY_OPENAPI_CACHE_SECONDS": README_DEFAULT,
    "GATEWAY_OPENAPI_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_READ_TIMEOUT_SECONDS": README_DEFAULT,
    "GATEWAY_REPLICA_COOLDOWN_SECONDS": README_DEFAULT,
    "GATEWAY_RETRIES": README_DEFAULT,
    "GATEWAY_RETRY_BACKOFF_SECONDS": README_DEFAULT,
    "GATEWAY_UPSTREAM_KEEPALIVE_SECONDS": README_DEFAULT,
    "GATEWAY_UPSTREAM_POOL_SIZE": README_DEFAULT,
}

EVERY = [pytest.param(u, e, id=f"{u.folder}-{e}") for u in SERVICE_UNITS for e in ENVIRONMENTS]


def main_containers(unit: Unit, environment: str) -> list[tuple[str, dict[str, object]]]:
    """(workload, container) of each Deployment's and Job's containers: the service's processes
    (an init container only waits, with ``alembic current``)."""
    return [
        (workload["metadata"]["name"], container)
        for workload in workloads(unit, environment)
        for container in pod_spec(workload)["containers"]
    ]


@pytest.mark.parametrize(("unit", "environment"), EVERY)
def test_every_variable_the_code_reads_is_set_or_deliberately_defaulted(
    unit: Unit, environment: str
) -> None:
    assert unit.service is not None
    reads = unit.service.code_reads()
    image = final_stage(unit.service).env()
    secrets: defaultdict[tuple[str, str], str] = defaultdict(str)
    for workload, container in main_containers(unit, environment):
        env = {**image, **container_environment(unit, environment, container, secrets)}
        left = reads - set(env) - set(DEFAULTED)
        assert not left, f"{workload} neither sets nor deliberately defaults {sorted(left)}"


def test_each_deliberate_default_is_read_and_left_unset_somewhere() -> None:
    """No stale line: every name is read by a service, and some container leaves it unset."""
    unset: set[str] = set()
    for unit in SERVICE_UNITS:
        assert unit.service is not None
        reads = unit.service.code_reads()
        image = final_stage(unit.service).env()
        for environment in ENVIRONMENTS:
            for _, container in main_containers(unit, environment):
                env = {
                    **image,
                    **container_environment(unit, environment, container, defaultdict(str)),
                }
                unset |= reads - set(env)
    read = set().union(*(service.code_reads() for service in SERVICES))
    assert set(DEFAULTED) <= read, sorted(set(DEFAULTED) - read)
    assert set(DEFAULTED) <= unset, sorted(set(DEFAULTED) - unset)


def test_logs_are_json_lines_in_every_pod() -> None:
    for unit in SERVICE_UNITS:
        for environment in ENVIRONMENTS:
            for workload, container in main_containers(unit, environment):
                env = container_environment(unit, environment, container, defaultdict(str))
                assert env.get("LOG_FORMAT") == "json", workload
