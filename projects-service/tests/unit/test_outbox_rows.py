"""Domain events become outbox rows carrying the contract's envelope and payload."""

from typing import Any
from uuid import uuid4

import pytest

from contracts import (
    Envelope,
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)
from projects.domain import events
from projects.infrastructure.persistence.outbox import PROJECT_EVENTS, integration_event

from .builders import T0

PROJECT, OWNER = uuid4(), uuid4()
BASE: dict[str, Any] = {
    "project_id": PROJECT,
    "owner_id": OWNER,
    "project_version": 7,
    "occurred_at": T0,
}
CASES = [
    (
        events.ProjectCreated(**BASE, name="Garden", maximum_number_of_incomplete_tasks=3),
        ProjectCreated,
        {"name": "Garden", "maximum_number_of_incomplete_tasks": 3},
    ),
    (events.ProjectRenamed(**BASE, name="Big garden"), ProjectRenamed, {"name": "Big garden"}),
    (events.ProjectArchived(**BASE), ProjectArchived, {}),
    (events.ProjectUnarchived(**BASE), ProjectUnarchived, {}),
    (events.ProjectDeleted(**BASE), ProjectDeleted, {}),
]


@pytest.mark.parametrize(("event", "contract", "fields"), CASES)
def test_each_domain_event_becomes_its_contract_in_an_envelope(
    event: events.DomainEvent, contract: type[Any], fields: dict[str, Any]
) -> None:
    row = PROJECT_EVENTS.row(event, correlation_id="req-1")

    assert row["message_type"] == contract.__name__
    assert row["exchange"] == "projects.events"
    assert row["routing_key"] == contract.routing_key()
    assert (row["aggregate_id"], row["aggregate_version"]) == (PROJECT, 7)
    envelope = Envelope[contract].model_validate(row["body"])
    assert envelope.message_id == row["message_id"]
    assert (envelope.producer, envelope.correlation_id) == ("projects-service", "req-1")
    assert (envelope.aggregate_version, envelope.occurred_at) == (7, T0)
    assert envelope.payload == contract(project_id=PROJECT, owner_id=OWNER, **fields)


def test_every_row_gets_its_own_message_id() -> None:
    event = CASES[0][0]
    first, second = (PROJECT_EVENTS.row(event, correlation_id="c") for _ in range(2))
    assert first["message_id"] != second["message_id"]


def test_an_event_without_a_contract_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        integration_event(events.DomainEvent(**BASE))
