"""(a) docker-compose.yml is a valid Compose file, with the services the design names."""

import copy
import json
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator

from .conftest import unavailable
from .stack import COMPOSE_SCHEMA, REPO, SERVICES, compose, compose_service

EXPECTED_SERVICES = {
    "postgres",
    "rabbitmq",
    "accounts-migrate",
    "projects-migrate",
    "accounts-service",
    "projects-service",
    "gateway",
}


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not COMPOSE_SCHEMA.is_file():
        unavailable(f"the Compose schema is not at {COMPOSE_SCHEMA} (shared/ beside the clone)")
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_compose_file_validates_against_the_compose_spec(validator: Draft7Validator) -> None:
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(
            lambda c: c["services"]["gateway"].update(depends_on={"x": {"condition": "ready"}}),
            id="condition",
        ),
        pytest.param(
            lambda c: c["services"]["postgres"].update(healthcheck={"test": 1}), id="healthcheck"
        ),
        pytest.param(
            lambda c: c["services"]["gateway"].update(port=["8000:8000"]), id="unknown-key"
        ),
    ],
)
def test_the_schema_check_catches_a_broken_file(validator: Draft7Validator, break_it: Any) -> None:
    broken = copy.deepcopy(compose())
    break_it(broken)
    assert list(validator.iter_errors(broken))


def test_the_stack_has_the_designed_services() -> None:
    assert set(compose()["services"]) == EXPECTED_SERVICES


def test_infrastructure_images_are_named_without_a_registry_host() -> None:
    assert compose_service("postgres")["image"] == "postgres:16"
    assert compose_service("rabbitmq")["image"] == "rabbitmq:3.13-management"
    for name, service in compose()["services"].items():
        first, slash, _ = service["image"].partition("/")
        assert not slash or not re.search(r"[.:]|^localhost$", first), (
            f"{name}: image {service['image']!r} names a registry host"
        )


def test_our_images_are_built_from_their_own_dockerfile_in_the_repository_root_context() -> None:
    for service in SERVICES:
        for name in service.compose_names():
            build = compose_service(name)["build"]
            assert build == {"context": ".", "dockerfile": f"{service.name}/Dockerfile"}, name
            assert compose_service(name)["image"] == f"taskboard/{service.name}:dev", name


def test_deployment_files_name_no_registry_or_cdn_host() -> None:
    files = [
        REPO / "docker-compose.yml",
        REPO / ".dockerignore",
        *(service.dockerfile for service in SERVICES),
        *sorted((REPO / "docker").rglob("*.*")),
    ]
    hostname = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:io|com|org|net|dev|cloud)\b", re.IGNORECASE)
    for path in files:
        found = hostname.findall(path.read_text())
        assert not found, f"{path.relative_to(REPO)} names a host: {found}"
