"""The committed, generated documents, read from the installed package: no FastStream needed.

``schemas/<routing key>.json`` is the JSON Schema snapshot of each event's envelope (written by
``python -m contracts.snapshots write``); ``asyncapi.json`` is the AsyncAPI document of the whole
catalogue (written by ``python -m contracts.asyncapi write``).
"""

import json
from importlib import resources
from typing import Any

from contracts.event import IntegrationEvent

SNAPSHOT_FOLDER = "schemas"
ASYNCAPI_DOCUMENT = "asyncapi.json"


def snapshot_name(event: type[IntegrationEvent]) -> str:
    return f"{event.routing_key()}.json"


def load_snapshot(event: type[IntegrationEvent]) -> dict[str, Any]:
    """The committed JSON Schema of ``Envelope[event]``: validate a published message with it."""
    return _load(SNAPSHOT_FOLDER, snapshot_name(event))


def load_asyncapi_document() -> dict[str, Any]:
    """The committed AsyncAPI document of every event, e.g. for the gateway to serve."""
    return _load(ASYNCAPI_DOCUMENT)


def _load(*path: str) -> dict[str, Any]:
    text = resources.files("contracts").joinpath(*path).read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]
