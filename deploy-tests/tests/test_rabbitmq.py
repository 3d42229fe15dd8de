"""The broker's definitions: one user per service whose stored hash matches the password the
service connects with (and the documented dev passwords), loaded at boot by rabbitmq.conf."""

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from contracts import broker_permissions

from .stack import (
    ACCOUNTS,
    PROJECTS,
    REPO,
    Service,
    bind_mounts,
    environment,
    rabbitmq_password_matches,
)

RABBITMQ = REPO / "docker" / "rabbitmq"


def definitions() -> dict[str, Any]:
    document = json.loads((RABBITMQ / "definitions.json").read_text())
    assert isinstance(document, dict)
    return document


def users() -> dict[str, dict[str, Any]]:
    return {user["name"]: user for user in definitions()["users"]}


def documented_passwords(system: str) -> dict[str, str]:
    """`| system | `user` | `password` |` rows of docker/README.md's credentials table."""
    text = (REPO / "docker" / "README.md").read_text()
    rows = re.findall(r"^\| (\w+) \| `([^`]+)` \| `([^`]+)` \|$", text, re.MULTILINE)
    return {user: password for row_system, user, password in rows if row_system == system}


def test_the_hash_check_is_rabbitmqs_sha256_scheme() -> None:
    # base64(salt + sha256(salt + password)), salt 908D C60A, password "test12"
    # (the worked example of RabbitMQ's password-hashing documentation)
    assert rabbitmq_password_matches("kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR", "test12")
    assert not rabbitmq_password_matches(
        "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR", "test13"
    )


@pytest.mark.parametrize("service", [ACCOUNTS, PROJECTS], ids=lambda s: s.name)
def test_each_service_logs_in_with_its_own_user_and_a_matching_password(service: Service) -> None:
    url = urlsplit(environment(service.name)["AMQP_URL"])
    assert url.username == service.package
    user = users()[url.username]
    assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
    assert rabbitmq_password_matches(user["password_hash"], unquote(url.password or ""))
    assert not rabbitmq_password_matches(user["password_hash"], (url.password or "") + "x")


def test_every_user_has_its_documented_development_password() -> None:
    documented = documented_passwords("rabbitmq")
    assert set(documented) == set(users())
    for name, user in users().items():
        assert rabbitmq_password_matches(user["password_hash"], documented[name]), name


def test_the_users_may_use_the_default_vhost() -> None:
    # A boot-time import replaces RabbitMQ's defaults: no vhost "/" unless the file defines it.
    assert {"name": "/"} in definitions()["vhosts"]
    granted = {(p["user"], p["vhost"]) for p in definitions()["permissions"]}
    assert {(name, "/") for name in users()} <= granted


def test_each_service_user_may_use_only_its_own_exchange_and_queues() -> None:
    """The patterns of contracts.broker_permissions, which make logins and the tests' stacks
    grant too (scripts/broker_permissions.py --write puts them here)."""
    permissions = {p["user"]: p for p in definitions()["permissions"]}
    for service in (ACCOUNTS, PROJECTS):
        expected = broker_permissions(service.package)
        granted = permissions[service.package]
        assert (granted["configure"], granted["write"], granted["read"]) == (
            expected.configure,
            expected.write,
            expected.read,
        )
    admin = permissions["admin"]
    assert {admin["configure"], admin["write"], admin["read"]} == {".*"}
    assert users()["accounts"]["tags"] == []
    assert users()["projects"]["tags"] == []
    assert "guest" not in users()


def test_rabbitmq_conf_loads_the_mounted_definitions() -> None:
    lines = (RABBITMQ / "rabbitmq.conf").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    settings = {key.strip(): value.strip() for key, value in pairs}
    target = settings["load_definitions"]
    mounts = bind_mounts("rabbitmq")
    assert mounts[target] == "./docker/rabbitmq/definitions.json"
    conf_targets = [
        t for t, source in mounts.items() if source == "./docker/rabbitmq/rabbitmq.conf"
    ]
    assert len(conf_targets) == 1
    assert re.fullmatch(r"/etc/rabbitmq/conf\.d/[\w-]+\.conf", conf_targets[0])
