import re

import pytest

from contracts import (
    ACCOUNTS_EXCHANGE,
    CONSUMER_QUEUES,
    PROJECTS_EXCHANGE,
    broker_permissions,
)

OWN_EXCHANGE = {"accounts": ACCOUNTS_EXCHANGE, "projects": PROJECTS_EXCHANGE}


def queues_of(service: str) -> set[str]:
    return {
        name
        for queue in CONSUMER_QUEUES
        if queue.name.startswith(service + ".")
        for name in (queue.name, queue.retry_queue, queue.dead_letter_queue)
    }


def other(service: str) -> str:
    return "projects" if service == "accounts" else "accounts"


@pytest.mark.parametrize("service", ["accounts", "projects"])
def test_a_service_reaches_its_own_names_and_binds_to_the_other_services_exchange(
    service: str,
) -> None:
    granted = broker_permissions(service)
    mine = queues_of(service) | {OWN_EXCHANGE[service]}
    source = OWN_EXCHANGE[other(service)]
    allowed = {
        "configure": mine | {source},
        "write": mine | {"amq.default"},
        "read": queues_of(service) | {source},
    }
    refused = queues_of(other(service)) | {"amq.topic", "x", source + "x", "x" + source}
    for kind, names in allowed.items():
        pattern = re.compile(getattr(granted, kind))  # RabbitMQ searches, it does not match
        for name in names:
            assert pattern.search(name), f"{service} may not {kind} {name}"
        for name in refused | ({source} if kind == "write" else set()):
            assert not pattern.search(name), f"{service} may {kind} {name}"
    assert not re.search(granted.read, OWN_EXCHANGE[service])  # nothing reads its own exchange


def test_an_unknown_service_has_no_permissions() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        broker_permissions("gateway")
