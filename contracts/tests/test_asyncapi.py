from typing import Any
from urllib.parse import unquote

import pytest

from contracts import ALL_EVENTS, IntegrationEvent, asyncapi, load_asyncapi_document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.build_document()


def test_the_committed_document_is_what_faststream_builds_now(document: dict[str, Any]) -> None:
    committed = asyncapi.DOCUMENT_PATH.read_text(encoding="utf-8")
    assert committed == asyncapi.render(document), (
        f"{asyncapi.DOCUMENT_PATH.name} is out of date: {asyncapi.REGENERATE}"
    )


def test_the_document_ships_as_package_data() -> None:
    assert load_asyncapi_document()["info"]["title"] == asyncapi.TITLE


def test_building_is_repeatable_despite_faststreams_channel_order() -> None:
    assert asyncapi.render(asyncapi.build_document()) == asyncapi.render(asyncapi.build_document())


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda event: event.__name__)
def test_every_event_is_a_channel_on_its_durable_topic_exchange(
    document: dict[str, Any], event: type[IntegrationEvent]
) -> None:
    channel = document["channels"][event.routing_key()]
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (
        event.exchange,
        "topic",
        True,
    )
    assert channel["address"] == event.routing_key()

    operation = document["operations"][event.routing_key()]
    assert operation["action"] == "send"
    assert operation["bindings"]["amqp"]["deliveryMode"] == 2, "messages are persistent"


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda event: event.__name__)
def test_every_message_payload_is_the_events_envelope(
    document: dict[str, Any], event: type[IntegrationEvent]
) -> None:
    message = document["components"]["messages"][f"{event.routing_key()}:Message"]
    schema_name = unquote(message["payload"]["$ref"].rsplit("/", 1)[-1])
    envelope = document["components"]["schemas"][schema_name]
    assert envelope["properties"]["type"]["const"] == event.__name__
    assert envelope["properties"]["payload"]["$ref"].endswith(f"/{event.__name__}")
    assert "additionalProperties" not in document["components"]["schemas"][event.__name__]


def test_the_catalogue_has_no_channel_that_is_not_an_event(document: dict[str, Any]) -> None:
    assert set(document["channels"]) == {event.routing_key() for event in ALL_EVENTS}
