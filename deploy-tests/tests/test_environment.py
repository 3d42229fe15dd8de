"""(b) Every environment variable compose or an image sets is one its service reads, and the
settings a production start needs are all there."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from accounts.entrypoints.http.app import create_app
from accounts.infrastructure.security.signing_key import SigningKey

from .stack import (
    ACCOUNTS,
    GATEWAY,
    PROJECTS,
    REPO,
    SERVICES,
    Service,
    compose,
    compose_service,
    environment,
    final_stage,
    secret_target,
    serves_get,
    settings_env_names,
)

# Variables the Python runtime (not our settings) reads; allowed in the images' ENV.
RUNTIME_VARIABLES = {"PATH", "VIRTUAL_ENV", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}

RUNS_IMAGE = [
    pytest.param(service, name, id=name) for service in SERVICES for name in service.compose_names()
]


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Settings see only what a container would: nothing from this machine's environment."""
    for variable in list(os.environ):
        monkeypatch.delenv(variable)
    return monkeypatch


def effective_environment(service: Service, name: str) -> dict[str, str]:
    """What the container's process sees: the image's ENV, then compose's environment."""
    return {**final_stage(service).env(), **environment(name)}


def load_settings(
    service: Service, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, secrets: dict[str, Path]
) -> BaseSettings:
    for key, value in env.items():
        monkeypatch.setenv(key, str(secrets.get(value, value)))
    return service.settings_class()()


@pytest.fixture
def secret_files(tmp_path: Path) -> dict[str, Path]:
    """Each compose secret's path in the container -> a stand-in file holding a valid value."""
    key = tmp_path / "jwt_private_key"
    key.write_bytes(SigningKey.generate().to_pem())
    return {"/run/secrets/jwt_private_key": key}


def test_the_settings_classes_are_read_as_expected() -> None:
    # The rule the other tests rely on: field name upper-cased, no prefix.
    assert "DATABASE_URL" in settings_env_names(ACCOUNTS.settings_class())
    assert "JWKS_URL" in settings_env_names(PROJECTS.settings_class())
    assert "GATEWAY_PORT" in settings_env_names(GATEWAY.settings_class())
    assert "JWKS_URL" not in settings_env_names(ACCOUNTS.settings_class())


@pytest.mark.parametrize(("service", "name"), RUNS_IMAGE)
def test_every_compose_variable_is_read_by_the_service(service: Service, name: str) -> None:
    known = service.reads_environment()
    unknown = set(environment(name)) - known
    assert not unknown, f"{name} sets variables {service.package} never reads: {sorted(unknown)}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_image_variable_is_read_by_the_service_or_python(service: Service) -> None:
    known = service.reads_environment() | RUNTIME_VARIABLES
    unknown = set(final_stage(service).env()) - known
    assert not unknown, f"{service.dockerfile} sets variables nobody reads: {sorted(unknown)}"


@pytest.mark.parametrize(("service", "name"), RUNS_IMAGE)
def test_the_service_settings_load_from_the_container_environment(
    service: Service,
    name: str,
    clean_environ: pytest.MonkeyPatch,
    secret_files: dict[str, Path],
) -> None:
    env = effective_environment(service, name)
    settings = load_settings(service, env, clean_environ, secret_files)
    for field, info in type(settings).model_fields.items():
        if info.is_required():
            assert field.upper() in env, f"{name} does not set the required {field.upper()}"
    if "environment" in type(settings).model_fields:
        assert settings.environment == "production"  # type: ignore[attr-defined]


def test_accounts_would_refuse_to_start_without_its_signing_key(
    clean_environ: pytest.MonkeyPatch, secret_files: dict[str, Path]
) -> None:
    env = effective_environment(ACCOUNTS, "accounts-service")
    env.pop("JWT_PRIVATE_KEY_FILE")
    with pytest.raises(ValidationError, match="JWT_PRIVATE_KEY"):
        load_settings(ACCOUNTS, env, clean_environ, secret_files)


@pytest.mark.parametrize(("service", "name"), RUNS_IMAGE)
def test_a_file_setting_points_at_a_secret_the_service_mounts(service: Service, name: str) -> None:
    mounted = {secret_target(s) for s in compose_service(name).get("secrets", [])}
    files = {value for key, value in environment(name).items() if key.endswith("_FILE")}
    assert files <= mounted, f"{name}: {sorted(files - mounted)} is not a mounted secret"
    assert {
        s if isinstance(s, str) else s["source"] for s in compose_service(name).get("secrets", [])
    } == set(service.secrets)


def test_the_signing_key_secret_is_the_git_ignored_dev_key() -> None:
    assert compose()["secrets"]["jwt_private_key"] == {"file": "./.secrets/jwt-dev-private.pem"}
    assert ".secrets/" in (REPO / ".gitignore").read_text().splitlines()
    assert ".secrets" in (REPO / ".dockerignore").read_text().splitlines()


@pytest.mark.parametrize("service", [ACCOUNTS, PROJECTS], ids=lambda s: s.name)
def test_each_service_connects_with_its_own_roles(service: Service) -> None:
    postgres = environment("postgres")
    role = service.package
    for name in service.compose_names():
        env = environment(name)
        database = urlsplit(env["DATABASE_URL"])
        assert (database.scheme, database.hostname, database.port) == (
            "postgresql",
            "postgres",
            5432,
        )
        assert database.path == "/" + postgres["POSTGRES_DB"]
        assert database.username == role, (
            f"{name} must use the {role} role, not {database.username}"
        )
        assert database.password == postgres[f"{role.upper()}_DB_PASSWORD"]
        broker = urlsplit(env["AMQP_URL"])
        assert (broker.scheme, broker.hostname, broker.port, broker.path) == (
            "amqp",
            "rabbitmq",
            5672,
            "/",
        )
        assert broker.username == role, f"{name} must use the {role} broker user"


@pytest.mark.parametrize("service", [ACCOUNTS, PROJECTS], ids=lambda s: s.name)
def test_a_migration_runs_with_the_same_configuration_as_its_service(service: Service) -> None:
    assert service.migrate is not None
    assert environment(service.migrate) == environment(service.name)
    assert compose_service(service.migrate).get("secrets") == compose_service(service.name).get(
        "secrets"
    )


def test_projects_fetches_the_keys_from_accounts_inside_the_network() -> None:
    jwks = urlsplit(environment("projects-service")["JWKS_URL"])
    assert (jwks.scheme, jwks.hostname) == ("http", "accounts-service")
    assert serves_get(create_app(), jwks.path)


def test_the_gateway_routes_to_the_services_by_their_compose_names() -> None:
    env = environment("gateway")
    assert urlsplit(env["ACCOUNTS_URL"]).hostname == "accounts-service"
    assert urlsplit(env["PROJECTS_URL"]).hostname == "projects-service"
    assert {**final_stage(GATEWAY).env(), **env}["GATEWAY_HOST"] == "0.0.0.0"  # noqa: S104
