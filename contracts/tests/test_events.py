from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import (
    ACCOUNTS_EXCHANGE,
    ALL_EVENTS,
    PROJECTS_EXCHANGE,
    Envelope,
    ProjectRenamed,
    UserAccountCreated,
)


def test_routing_keys_are_event_type_and_major_version() -> None:
    assert UserAccountCreated.routing_key() == "user.account_created.v1"
    assert ProjectRenamed.routing_key() == "project.renamed.v1"


def test_every_event_is_published_on_its_producers_exchange() -> None:
    exchanges = {event.__name__: event.exchange for event in ALL_EVENTS}
    assert exchanges == {
        "UserAccountCreated": ACCOUNTS_EXCHANGE,
        "UserEmailChanged": ACCOUNTS_EXCHANGE,
        "UserTokensRevoked": ACCOUNTS_EXCHANGE,
        "ProjectCreated": PROJECTS_EXCHANGE,
        "ProjectRenamed": PROJECTS_EXCHANGE,
        "ProjectArchived": PROJECTS_EXCHANGE,
        "ProjectUnarchived": PROJECTS_EXCHANGE,
        "ProjectDeleted": PROJECTS_EXCHANGE,
    }
    assert len({event.routing_key() for event in ALL_EVENTS}) == len(ALL_EVENTS)


def test_an_envelope_round_trips_through_json_with_its_payload() -> None:
    payload = UserAccountCreated(user_id=uuid4(), email="ada@example.com")
    envelope = Envelope.wrap(
        payload,
        message_id=uuid4(),
        occurred_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        producer="accounts-service",
        correlation_id="req-1",
        aggregate_id=payload.user_id,
        aggregate_version=1,
    )

    data = envelope.model_dump(mode="json")
    assert data["type"] == "UserAccountCreated"
    assert data["version"] == 1
    assert data["payload"] == {"user_id": str(payload.user_id), "email": "ada@example.com"}
    assert Envelope[UserAccountCreated].model_validate_json(envelope.model_dump_json()) == envelope


def test_fields_a_newer_producer_adds_are_ignored_by_older_consumers() -> None:
    user_id = uuid4()
    event = UserAccountCreated.model_validate(
        {"user_id": str(user_id), "email": "a@b.co", "display_name": "added in a later 1.x"}
    )
    assert event == UserAccountCreated(user_id=user_id, email="a@b.co")


def test_a_missing_required_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        UserAccountCreated.model_validate({"user_id": str(uuid4())})


def test_an_envelope_whose_type_or_version_misnames_its_payload_is_refused() -> None:
    envelope = Envelope.wrap(
        UserAccountCreated(user_id=uuid4(), email="ada@example.com"),
        message_id=uuid4(),
        occurred_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        producer="accounts-service",
        correlation_id="req-1",
        aggregate_id=uuid4(),
        aggregate_version=1,
    )
    for wrong in ({"type": "ProjectCreated"}, {"version": 2}):
        with pytest.raises(ValidationError, match="type and version must be"):
            Envelope[UserAccountCreated].model_validate({**envelope.model_dump(), **wrong})
