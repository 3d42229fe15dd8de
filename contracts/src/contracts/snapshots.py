"""Committed JSON Schema snapshots of every event's envelope, shipped as package data.

``schemas/<routing key>.json`` holds the JSON Schema of ``Envelope[Event]``: what a producer's
contract test validates its published messages against. Within a major version a snapshot may only
change compatibly (see ``contracts.compatibility``); a new major version is a new routing key, so
a new file. Regenerate after changing a model::

    python -m contracts.snapshots write   # make contracts-snapshots; refuses incompatible changes
    python -m contracts.snapshots check   # exit 1 when a snapshot is missing, stale or orphaned
"""

import json
import sys
from pathlib import Path
from typing import Any

from contracts.catalogue import ALL_EVENTS
from contracts.compatibility import incompatible_changes
from contracts.documents import SNAPSHOT_FOLDER, snapshot_name
from contracts.envelope import Envelope
from contracts.event import IntegrationEvent

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SNAPSHOT_DIR = Path(__file__).parent / SNAPSHOT_FOLDER
"""Where ``write`` puts the snapshots: the package's source tree in this workspace."""

REGENERATE = "run `make contracts-snapshots` (python -m contracts.snapshots write)"


def event_schema(event: type[IntegrationEvent]) -> dict[str, Any]:
    """The JSON Schema of ``Envelope[event]`` as the current model produces it."""
    return {"$schema": SCHEMA_DIALECT, **Envelope[event].model_json_schema()}  # type: ignore[valid-type]


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def check_snapshots(directory: Path = SNAPSHOT_DIR) -> list[str]:
    """Every way the snapshots in ``directory`` differ from the models; empty when up to date."""
    problems = []
    for event in ALL_EVENTS:
        path = directory / snapshot_name(event)
        if not path.exists():
            problems.append(f"{path.name}: missing; {REGENERATE}")
            continue
        committed = json.loads(path.read_text(encoding="utf-8"))
        current = event_schema(event)
        if changes := incompatible_changes(committed, current):
            problems.append(_refusal(event, changes))
        elif committed != current:
            problems.append(f"{path.name}: stale; {REGENERATE}")
    problems += [f"{path.name}: no such event; {REGENERATE}" for path in _orphans(directory)]
    return problems


def write_snapshots(directory: Path = SNAPSHOT_DIR) -> list[str]:
    """Writes every compatible snapshot, removes those of retired events, and returns refusals."""
    directory.mkdir(parents=True, exist_ok=True)
    refusals = []
    for event in ALL_EVENTS:
        path = directory / snapshot_name(event)
        current = event_schema(event)
        if path.exists():
            committed = path.read_text(encoding="utf-8")
            if changes := incompatible_changes(json.loads(committed), current):
                refusals.append(_refusal(event, changes))
                continue
            if committed == render(current):
                continue
        path.write_text(render(current), encoding="utf-8")
    for path in _orphans(directory):
        path.unlink()
    return refusals


def _orphans(directory: Path) -> list[Path]:
    expected = {snapshot_name(event) for event in ALL_EVENTS}
    return sorted(path for path in directory.glob("*.json") if path.name not in expected)


def _refusal(event: type[IntegrationEvent], changes: list[str]) -> str:
    return (
        f"{snapshot_name(event)}: incompatible change to {event.__name__} "
        f"v{event.major_version}: {'; '.join(changes)}. Undo it, or bump major_version "
        "(a new routing key and snapshot) and keep publishing the old version while it has "
        "consumers."
    )


def main(argv: list[str]) -> int:
    if argv not in (["write"], ["check"]):
        print("usage: python -m contracts.snapshots write|check", file=sys.stderr)
        return 2
    problems = write_snapshots() if argv == ["write"] else check_snapshots()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
