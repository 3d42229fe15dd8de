"""Which headers cross the gateway, in each direction."""

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.headers import downstream_headers, upstream_headers

REPLICA = "http://10.0.0.7:8001"


def _headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def _upstream(*pairs: tuple[str, str], public_origin: str | None = None) -> CIMultiDict[str]:
    return upstream_headers(
        _headers(*pairs),
        client_ip="10.1.2.3",
        scheme="http",
        request_id="rid-1",
        public_origin=public_origin,
    )


def _downstream(*pairs: tuple[str, str]) -> CIMultiDict[str]:
    return downstream_headers(_headers(*pairs), request_id="rid-2", replica=REPLICA)


def test_hop_by_hop_and_connection_named_headers_are_dropped_both_ways() -> None:
    hop = (
        ("Connection", "close, X-One"),
        ("Connection", "authorization"),
        ("X-One", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("Upgrade", "websocket"),
        ("TE", "trailers"),
        ("Trailer", "X-Sum"),
        ("Proxy-Authorization", "secret"),
        ("Proxy-Connection", "keep-alive"),
        ("Authorization", "Bearer named-in-connection"),
        ("Content-Type", "application/json"),
    )
    assert [k for k in _upstream(*hop) if not k.startswith("X-")] == ["Content-Type"]
    assert list(_downstream(*hop)) == ["Content-Type", "X-Request-ID"]


@pytest.mark.parametrize(
    "name",
    [
        "True-Client-IP",
        "X-Original-URL",
        "X-Rewrite-URL",
        "X-Forwarded-Prefix",
        "X-Forwarded-Port",
        "X-Real-IP",
        "X-Client-IP",
        "CF-Connecting-IP",
        "X-HTTP-Method-Override",
        "Forwarded",
        "Expect",
        "X-Anything-New",
    ],
)
def test_request_headers_outside_the_allowlist_stay_at_the_edge(name: str) -> None:
    assert name not in _upstream((name, "/admin"), ("Accept", "application/json"))


def test_the_headers_an_api_client_needs_are_forwarded_with_every_value() -> None:
    sent = _upstream(
        ("Authorization", "Bearer t"),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "k-1"),
        ("If-Match", '"v1"'),
        ("Cookie", "a=1"),
        ("Cookie", "b=2"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    )
    assert sent["Authorization"] == "Bearer t"
    assert sent["Idempotency-Key"] == "k-1"
    assert sent["If-Match"] == '"v1"'
    assert sent.getall("Cookie") == ["a=1", "b=2"]
    assert sent["traceparent"].startswith("00-")


def test_proxy_headers_come_from_the_connection_and_no_host_from_the_client() -> None:
    sent = _upstream(
        ("Host", "evil.example"),
        ("X-Forwarded-For", "1.2.3.4"),
        ("x-forwarded-proto", "https"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Request-ID", "from-client"),
    )
    assert sent.getall("X-Forwarded-For") == ["10.1.2.3"]
    assert sent.getall("X-Forwarded-Proto") == ["http"]
    assert sent.getall("X-Request-ID") == ["rid-1"]
    assert "Host" not in sent  # the client library sets the replica's own address
    assert "X-Forwarded-Host" not in sent


def test_with_a_public_origin_the_service_sees_its_host_and_scheme() -> None:
    sent = _upstream(("Host", "evil.example"), public_origin="https://taskboard.example")
    assert sent.getall("Host") == ["taskboard.example"]
    assert sent["X-Forwarded-Host"] == "taskboard.example"
    assert sent["X-Forwarded-Proto"] == "https"


def test_downstream_headers_carry_the_gateways_request_id_once_and_no_server() -> None:
    returned = _downstream(
        ("X-Request-ID", "service-made"), ("Server", "uvicorn"), ("Location", "/api/users/1")
    )
    assert returned.getall("X-Request-ID") == ["rid-2"]
    assert returned["Location"] == "/api/users/1"
    assert "Server" not in returned


def test_a_location_on_the_replicas_own_address_becomes_relative() -> None:
    assert _downstream(("Location", REPLICA + "/api/users/1?x=1"))["Location"] == (
        "/api/users/1?x=1"
    )
    elsewhere = "https://docs.example/help"
    assert _downstream(("Location", elsewhere))["Location"] == elsewhere


def test_the_services_cors_headers_never_reach_the_client() -> None:
    returned = _downstream(
        ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")
    )
    assert list(returned) == ["X-Request-ID"]


def test_repeated_end_to_end_headers_keep_every_value_in_order() -> None:
    returned = _downstream(("Set-Cookie", "a=1"), ("X-Other", "x"), ("Set-Cookie", "b=2"))
    assert returned.getall("Set-Cookie") == ["a=1", "b=2"]
