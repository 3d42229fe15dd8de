"""Which headers cross the gateway, in each direction."""

from multidict import CIMultiDict, CIMultiDictProxy

from gateway.headers import downstream_headers, end_to_end, upstream_headers


def _headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def test_hop_by_hop_and_connection_named_headers_are_dropped() -> None:
    kept = end_to_end(
        _headers(
            ("Connection", "close, X-One"),
            ("Connection", "x-two"),
            ("X-One", "1"),
            ("X-Two", "2"),
            ("Keep-Alive", "timeout=5"),
            ("Transfer-Encoding", "chunked"),
            ("Upgrade", "websocket"),
            ("TE", "trailers"),
            ("Trailer", "X-Sum"),
            ("Proxy-Authorization", "secret"),
            ("Proxy-Connection", "keep-alive"),
            ("Content-Type", "application/json"),
        ),
        frozenset(),
    )
    assert list(kept.items()) == [("Content-Type", "application/json")]


def test_repeated_end_to_end_headers_keep_every_value_in_order() -> None:
    kept = end_to_end(
        _headers(("Set-Cookie", "a=1"), ("X-Other", "x"), ("Set-Cookie", "b=2")), frozenset()
    )
    assert kept.getall("Set-Cookie") == ["a=1", "b=2"]


def test_upstream_headers_replace_what_the_client_claimed_about_itself() -> None:
    sent = upstream_headers(
        _headers(
            ("Host", "gateway.test:8000"),
            ("X-Forwarded-For", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
            ("X-Forwarded-Host", "evil"),
            ("Forwarded", "for=1.2.3.4"),
            ("X-Request-ID", "from-client"),
            ("Expect", "100-continue"),
            ("Cookie", "sid=mine"),
        ),
        client_ip="10.1.2.3",
        scheme="http",
        request_id="rid-1",
    )
    assert sent.getall("X-Forwarded-For") == ["10.1.2.3"]
    assert sent.getall("X-Forwarded-Proto") == ["http"]
    assert sent.getall("X-Forwarded-Host") == ["gateway.test:8000"]
    assert sent.getall("X-Request-ID") == ["rid-1"]
    assert sent["Host"] == "gateway.test:8000"
    assert sent["Cookie"] == "sid=mine"
    assert "Forwarded" not in sent
    assert "Expect" not in sent


def test_downstream_headers_carry_the_gateways_request_id_once() -> None:
    returned = downstream_headers(
        _headers(("X-Request-ID", "service-made"), ("Location", "/api/users/1")),
        request_id="rid-2",
    )
    assert returned.getall("X-Request-ID") == ["rid-2"]
    assert returned["Location"] == "/api/users/1"
