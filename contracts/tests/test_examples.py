import jsonschema
import pytest

from contracts import (
    ALL_EVENTS,
    Envelope,
    IntegrationEvent,
    ProjectCreated,
    UserAccountCreated,
    example,
    examples,
    load_snapshot,
)


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda event: event.__name__)
def test_the_example_is_a_valid_message_of_its_event(event: type[IntegrationEvent]) -> None:
    envelope = example(event)

    assert isinstance(envelope.payload, event)
    assert (envelope.type, envelope.version) == (event.__name__, event.major_version)
    assert Envelope[event].model_validate_json(envelope.model_dump_json()) == envelope  # type: ignore[valid-type]


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda event: event.__name__)
def test_the_example_validates_against_its_committed_snapshot(
    event: type[IntegrationEvent],
) -> None:
    schema = load_snapshot(event)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(example(event).model_dump(mode="json"))


def test_examples_are_fixed_so_tests_can_name_their_ids() -> None:
    assert example(UserAccountCreated) == example(UserAccountCreated)
    assert str(example(UserAccountCreated).message_id) == "e0000000-0000-4000-8000-000000000001"


def test_there_is_one_example_per_event_each_with_its_own_message_id() -> None:
    assert [type(envelope.payload) for envelope in examples()] == list(ALL_EVENTS)
    assert len({envelope.message_id for envelope in examples()}) == len(ALL_EVENTS)


def test_the_examples_tell_one_story_in_aggregate_version_order() -> None:
    registered, created = example(UserAccountCreated), example(ProjectCreated)
    assert created.payload.owner_id == registered.payload.user_id
    assert created.correlation_id == str(registered.message_id)
    project_events = [e for e in examples() if e.aggregate_id == created.aggregate_id]
    versions = [e.aggregate_version for e in sorted(project_events, key=lambda e: e.occurred_at)]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)


def test_an_example_copied_with_a_fresh_id_stays_valid() -> None:
    copy = example(UserAccountCreated).model_copy(
        update={"message_id": example(ProjectCreated).message_id}
    )
    assert Envelope[UserAccountCreated].model_validate(copy.model_dump()) == copy
