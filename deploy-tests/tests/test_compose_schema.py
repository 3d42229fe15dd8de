"""(a) docker-compose.yml is a valid Compose file, with the services the design names."""

import copy
import json
import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from .conftest import unavailable
from .stack import (
    COMPOSE_FILE,
    COMPOSE_SCHEMA,
    REPO,
    SERVICES,
    compose,
    compose_service,
    compose_variables,
    global_args,
)

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
    # as written (variables unsubstituted) and as Compose reads it with the defaults
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    for document in (raw, compose()):
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_docker_compose_1_29_can_read_it_too() -> None:
    """docker-compose 1.29 (Debian's) refuses a top-level `name`; Compose v2 accepts the file
    without it. `make up` names the project with COMPOSE_PROJECT_NAME instead."""
    assert "name" not in yaml.safe_load(COMPOSE_FILE.read_text())


def test_base_images_are_variables_defaulting_to_the_official_images() -> None:
    assert compose_variables()["TASKBOARD_POSTGRES_IMAGE"] == "postgres:16"
    assert compose_variables()["TASKBOARD_RABBITMQ_IMAGE"] == "rabbitmq:3.13-management"
    python = compose_variables()["TASKBOARD_PYTHON_IMAGE"]
    for service in SERVICES:
        assert global_args(service.dockerfile) == {"PYTHON_IMAGE": python}, service.dockerfile
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    assert raw["postgres"]["image"] == "${TASKBOARD_POSTGRES_IMAGE:-postgres:16}"
    assert raw["rabbitmq"]["image"] == "${TASKBOARD_RABBITMQ_IMAGE:-rabbitmq:3.13-management}"


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
    """Those a plain `up` starts; the `observability` profile's are checked apart
    (test_compose_observability.py)."""
    started = {name for name, s in compose()["services"].items() if not s.get("profiles")}
    assert started == EXPECTED_SERVICES


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
            assert build == {
                "context": ".",
                "dockerfile": f"{service.name}/Dockerfile",
                "args": {"PYTHON_IMAGE": "python:3.11-slim"},
            }, name
            assert compose_service(name)["image"] == f"taskboard/{service.name}:dev", name


def test_deployment_files_name_no_registry_or_cdn_host() -> None:
    files = [
        REPO / "docker-compose.yml",
        REPO / ".dockerignore",
        *(service.dockerfile for service in SERVICES),
        *sorted(
            path
            for path in (REPO / "docker").rglob("*")
            if path.is_file() and path.parent != REPO / "docker" / "wheelhouse"
        ),
        REPO / "docker" / "wheelhouse" / "README.md",
        *sorted((REPO / "deploy" / "observability").glob("*.yml")),
    ]
    hostname = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:io|com|org|net|dev|cloud)\b", re.IGNORECASE)
    for path in files:
        found = hostname.findall(path.read_text())
        assert not found, f"{path.relative_to(REPO)} names a host: {found}"
