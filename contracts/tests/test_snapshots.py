import json
from pathlib import Path

import jsonschema
import pytest

from contracts import ALL_EVENTS, IntegrationEvent, UserAccountCreated, load_snapshot, snapshots

check_snapshots, write_snapshots = snapshots.check_snapshots, snapshots.write_snapshots


def test_the_committed_snapshots_are_what_the_models_produce_now() -> None:
    """Fails after a model change: run `make contracts-snapshots` and commit the result."""
    assert check_snapshots() == []


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda event: event.__name__)
def test_each_snapshot_ships_as_package_data_and_is_a_valid_schema(
    event: type[IntegrationEvent],
) -> None:
    schema = load_snapshot(event)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == snapshots.event_schema(event)


def test_a_snapshot_pins_the_event_type_and_major_version() -> None:
    schema = load_snapshot(UserAccountCreated)
    assert schema["properties"]["type"]["const"] == "UserAccountCreated"
    assert schema["properties"]["version"]["const"] == 1
    assert "additionalProperties" not in schema  # tolerant reader: new fields are ignored


def test_write_creates_every_snapshot_and_removes_those_of_retired_events(tmp_path: Path) -> None:
    (tmp_path / "user.retired.v1.json").write_text("{}")

    assert write_snapshots(tmp_path) == []

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{event.routing_key()}.json" for event in ALL_EVENTS
    )
    assert check_snapshots(tmp_path) == []


def test_a_stale_snapshot_is_reported_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    write_snapshots(tmp_path)
    path = tmp_path / "user.account_created.v1.json"
    schema = json.loads(path.read_text())
    schema["$defs"]["UserAccountCreated"]["description"] = "An older wording."
    path.write_text(json.dumps(schema))

    assert check_snapshots(tmp_path) == [
        f"user.account_created.v1.json: stale; {snapshots.REGENERATE}"
    ]
    assert write_snapshots(tmp_path) == []
    assert check_snapshots(tmp_path) == []


def test_an_incompatible_change_is_refused_by_check_and_by_write(tmp_path: Path) -> None:
    write_snapshots(tmp_path)
    path = tmp_path / "user.account_created.v1.json"
    # As if the committed v1 had a field the current model dropped.
    schema = json.loads(path.read_text())
    schema["$defs"]["UserAccountCreated"]["properties"]["display_name"] = {"type": "string"}
    schema["$defs"]["UserAccountCreated"]["required"].append("display_name")
    path.write_text(json.dumps(schema))

    [problem] = check_snapshots(tmp_path)
    assert "incompatible change to UserAccountCreated v1" in problem
    assert "payload.display_name: removed" in problem
    assert "bump major_version" in problem
    assert write_snapshots(tmp_path) == [problem]
    assert json.loads(path.read_text()) == schema, "an incompatible snapshot is never overwritten"


def test_a_missing_snapshot_is_reported(tmp_path: Path) -> None:
    write_snapshots(tmp_path)
    (tmp_path / "project.deleted.v1.json").unlink()

    assert check_snapshots(tmp_path) == [
        f"project.deleted.v1.json: missing; {snapshots.REGENERATE}"
    ]


def test_the_command_line_checks_and_explains_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert snapshots.main(["check"]) == 0
    assert snapshots.main([]) == 2
    assert "usage" in capsys.readouterr().err
