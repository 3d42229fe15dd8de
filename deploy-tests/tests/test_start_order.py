"""(g) depends_on gives the intended start order, and every awaited condition can come true."""

from graphlib import TopologicalSorter

import pytest

from .stack import (
    ACCOUNTS,
    PROJECTS,
    SERVICES,
    Service,
    compose,
    compose_service,
    depends_on,
    final_stage,
)

INFRA = {"postgres": "service_healthy", "rabbitmq": "service_healthy"}
MIGRATIONS = {
    "accounts-migrate": "service_completed_successfully",
    "projects-migrate": "service_completed_successfully",
}

INTENDED = {
    "postgres": {},
    "rabbitmq": {},
    "accounts-migrate": INFRA,
    "projects-migrate": INFRA,
    # both services wait for both migrations: every consumer's queue is bound before any
    # producer can publish (an event to an exchange with no queue bound is lost)
    "accounts-service": {**INFRA, **MIGRATIONS},
    "projects-service": {**INFRA, **MIGRATIONS},
    "gateway": {"accounts-service": "service_healthy", "projects-service": "service_healthy"},
}


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_each_service_waits_for_what_it_needs(name: str) -> None:
    assert depends_on(name) == INTENDED[name]


def test_the_dependencies_form_the_intended_order() -> None:
    graph = {name: set(depends_on(name)) for name in compose()["services"]}
    order = list(TopologicalSorter(graph).static_order())  # raises on a cycle
    position = {name: order.index(name) for name in order}
    assert max(position["postgres"], position["rabbitmq"]) < min(
        position["accounts-migrate"], position["projects-migrate"]
    )
    assert max(position["accounts-migrate"], position["projects-migrate"]) < min(
        position["accounts-service"], position["projects-service"]
    )
    assert max(position["accounts-service"], position["projects-service"]) < position["gateway"]


def has_healthcheck(name: str) -> bool:
    check = compose_service(name).get("healthcheck")
    if check is not None:
        return not check.get("disable", False) and check.get("test") not in (["NONE"], "NONE")
    for service in SERVICES:
        if name in service.compose_names():
            return final_stage(service).last("HEALTHCHECK") is not None
    return False


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_a_service_waited_for_as_healthy_has_a_healthcheck(name: str) -> None:
    for dependency, condition in depends_on(name).items():
        if condition == "service_healthy":
            assert has_healthcheck(dependency), (
                f"{name} waits for {dependency} to be healthy; it has no check"
            )


@pytest.mark.parametrize(
    "name", ["postgres", "rabbitmq", "accounts-service", "projects-service", "gateway"]
)
def test_long_running_services_have_a_healthcheck(name: str) -> None:
    assert has_healthcheck(name)


@pytest.mark.parametrize("service", [ACCOUNTS, PROJECTS], ids=lambda s: s.name)
def test_a_migration_is_a_one_shot(service: Service) -> None:
    assert service.migrate is not None
    migrate = compose_service(service.migrate)
    assert migrate.get("restart") == "no"
    # the image's HEALTHCHECK asks a server that a one-shot never starts
    assert migrate["healthcheck"] == {"disable": True}
    assert "ports" not in migrate


def test_postgres_is_ready_only_after_its_init_script() -> None:
    test = compose_service("postgres")["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"]
    # the entrypoint's temporary init server listens on the socket only: ask over TCP
    assert test[test.index("--host") + 1] == "127.0.0.1"


def test_rabbitmq_healthcheck_is_the_diagnostics_ping() -> None:
    assert compose_service("rabbitmq")["healthcheck"]["test"] == [
        "CMD",
        "rabbitmq-diagnostics",
        "-q",
        "ping",
    ]
