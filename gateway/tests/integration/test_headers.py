"""Headers: end-to-end ones pass, hop-by-hop ones do not, proxy headers come from the
connection, cookies belong to the client that got them, and every request has an id."""

import uuid

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn


async def test_hop_by_hop_request_headers_are_dropped_including_those_named_in_connection(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    headers = {
        "Connection": "keep-alive, X-Client-Hop",
        "X-Client-Hop": "secret",
        "Keep-Alive": "timeout=300",
        "Proxy-Authorization": "Basic c2VjcmV0",
        "TE": "trailers",
        "X-End-To-End": "kept",
        "Authorization": "Bearer token",
    }
    async with client.get(gateway + "/api/users/me", headers=headers) as response:
        assert response.status == 200
    seen = accounts.seen[-1]
    for dropped in ("X-Client-Hop", "Keep-Alive", "Proxy-Authorization", "TE", "X-End-To-End"):
        assert not seen.has(dropped), dropped
    assert seen.header("Authorization") == "Bearer token"


async def test_only_allowlisted_request_headers_reach_the_service(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    tricks = {
        "True-Client-IP": "10.0.0.1",
        "X-Original-URL": "/admin",
        "X-Rewrite-URL": "/admin",
        "X-HTTP-Method-Override": "DELETE",
        "Idempotency-Key": "k-1",
        "Accept": "application/json",
    }
    async with client.get(gateway + "/api/users/me", headers=tricks) as response:
        assert response.status == 200
    seen = accounts.seen[-1]
    for dropped in ("True-Client-IP", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override"):
        assert not seen.has(dropped), dropped
    assert seen.header("Idempotency-Key") == "k-1"
    assert seen.header("Accept") == "application/json"


async def test_hop_by_hop_response_headers_are_dropped_including_those_named_in_connection(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/users/hop") as response:
        assert response.status == 200
        for dropped in ("X-Secret-Hop", "Keep-Alive", "Proxy-Authenticate", "Trailer"):
            assert dropped not in response.headers, dropped
        assert response.headers.get("Connection", "").lower() != "x-secret-hop"
        assert response.headers["X-End-To-End"] == "passes"


async def test_forwarded_headers_come_from_the_connection_not_from_the_client(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    lies = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "Forwarded": "for=203.0.113.9;proto=https",
        "X-Real-IP": "203.0.113.9",
    }
    async with client.get(gateway + "/api/users/me", headers=lies) as response:
        assert response.status == 200
    seen = accounts.seen[-1]
    assert seen.header("X-Forwarded-For") == "127.0.0.1"
    assert seen.header("X-Forwarded-Proto") == "http"
    assert not seen.has("X-Forwarded-Host")
    assert not seen.has("Forwarded")
    assert not seen.has("X-Real-IP")
    assert [k for k, _ in seen.headers if k.lower() == "x-forwarded-for"] == ["X-Forwarded-For"]


async def test_behind_a_trusted_proxy_the_client_is_the_one_that_proxy_names(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    """An ingress controller in front: its X-Forwarded-For names the client (the last entry,
    the one it wrote), and the service gets that address alone, as from any client."""
    async with start_gateway(trusted_proxies="127.0.0.0/8") as url:
        forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        async with client.get(url + "/api/users/me", headers=forwarded) as response:
            assert response.status == 200
        assert accounts.seen[-1].header("X-Forwarded-For") == "203.0.113.9"
        # A forged line first, the line the proxy added after it: the proxy's last entry counts.
        two_lines = CIMultiDict(
            [("X-Forwarded-For", "198.51.100.66"), ("X-Forwarded-For", "203.0.113.10")]
        )
        async with client.get(url + "/api/users/me", headers=two_lines) as response:
            assert response.status == 200
        assert accounts.seen[-1].header("X-Forwarded-For") == "203.0.113.10"
        async with client.get(url + "/api/users/me", headers={"X-Forwarded-For": "x"}) as answer:
            assert answer.status == 200
        assert accounts.seen[-1].header("X-Forwarded-For") == "127.0.0.1"  # no address: the peer
    async with start_gateway(trusted_proxies="10.0.0.0/8") as url:  # not this peer
        async with client.get(url + "/api/users/me", headers=forwarded) as response:
            assert response.status == 200
        assert accounts.seen[-1].header("X-Forwarded-For") == "127.0.0.1"


async def test_the_clients_host_header_never_reaches_the_service(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    headers = {"Host": "evil.example"}
    async with client.get(gateway + "/api/users/me", headers=headers) as response:
        assert response.status == 200
    assert accounts.seen[-1].header("Host") == accounts.url.removeprefix("http://")


async def test_a_redirect_the_service_builds_from_host_carries_no_host_the_client_chose(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    url = gateway + "/api/users/absolute-redirect"
    headers = {"Host": "evil.example"}
    async with client.get(url, headers=headers, allow_redirects=False) as response:
        assert response.status == 307
        assert response.headers["Location"] == "/api/users/elsewhere"


async def test_with_a_public_origin_the_service_builds_urls_on_it(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with start_gateway(public_origin="https://taskboard.example") as gateway:
        url = gateway + "/api/users/absolute-redirect"
        headers = {"Host": "evil.example"}
        async with client.get(url, headers=headers, allow_redirects=False) as response:
            assert response.headers["Location"] == "https://taskboard.example/api/users/elsewhere"
    assert accounts.seen[-1].header("X-Forwarded-Host") == "taskboard.example"


async def test_303_with_location_and_set_cookie_passes_unchanged(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    async with client.get(gateway + "/api/users/redirect", allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/api/users/elsewhere?from=redirect"
        assert response.headers.getall("Set-Cookie") == ["flash=saved; Path=/; HttpOnly"]
    # The gateway did not follow the redirect itself.
    assert [seen.raw_path for seen in accounts.seen] == ["/api/users/redirect"]


async def test_cookies_reach_only_the_client_they_were_set_for(
    start_gateway: GatewayFactory, accounts: StandIn
) -> None:
    # The service by host name: a cookie jar would silently ignore cookies from an IP address.
    by_name = accounts.url.replace("127.0.0.1", "localhost")
    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: the clients talk to the gateway by IP
    async with (
        start_gateway(accounts_url=by_name) as gateway,
        aiohttp.ClientSession(cookie_jar=jar) as alice,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as bob,
    ):
        async with alice.get(gateway + "/api/users/cookie?who=alice") as response:
            assert response.headers["Set-Cookie"] == "sid=alice; Path=/"
        async with bob.get(gateway + "/api/users/cookie?who=bob") as response:
            assert response.status == 200
        async with alice.get(gateway + "/api/users/me") as response:
            assert response.status == 200
    first, bobs, alices_second = accounts.seen
    assert not first.has("Cookie")
    assert not bobs.has("Cookie"), "the gateway replayed a cookie another user received"
    assert alices_second.header("Cookie") == "sid=alice"


async def test_a_valid_request_id_is_kept_returned_and_passed_on(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    headers = {"X-Request-ID": "client-id.1:abc"}
    async with client.get(gateway + "/api/users/me", headers=headers) as response:
        assert response.headers.getall("X-Request-ID") == ["client-id.1:abc"]
    assert accounts.seen[-1].header("X-Request-ID") == "client-id.1:abc"


@pytest.mark.parametrize("given", [None, "has spaces", "x" * 101, "semi;colon"])
async def test_a_missing_or_unacceptable_request_id_is_replaced_by_a_new_uuid(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn, given: str | None
) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}
    async with client.get(gateway + "/api/users/me", headers=headers) as response:
        returned = response.headers["X-Request-ID"]
    assert returned != given
    assert uuid.UUID(returned).version == 4
    assert accounts.seen[-1].header("X-Request-ID") == returned


async def test_gateway_errors_carry_the_request_id_too(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    headers = {"X-Request-ID": "for-the-404"}
    async with client.get(gateway + "/nowhere", headers=headers) as response:
        assert response.status == 404
        assert response.headers["X-Request-ID"] == "for-the-404"


async def test_the_gateway_adds_no_headers_the_client_did_not_send(
    gateway: str, accounts: StandIn
) -> None:
    bare = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
    async with (
        aiohttp.ClientSession(skip_auto_headers=bare) as client,
        client.post(gateway + "/api/users/echo", data=b"raw bytes") as response,
    ):
        assert response.status == 200
    seen = accounts.seen[-1]
    for header in bare:
        assert not seen.has(header), header
