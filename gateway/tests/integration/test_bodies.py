"""Bodies stream through byte for byte, in both directions, with or without a length."""

from collections.abc import AsyncIterator

import aiohttp

from tests.integration.standins import BIG_RESPONSE_BYTES, GZIPPED, StandIn, pattern

MIB = 1024 * 1024


async def _in_pieces(data: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_1_mib_post_with_content_length_round_trips_byte_identical(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    payload = pattern(MIB, seed=b"declared")
    async with client.post(gateway + "/api/users/echo", data=payload) as response:
        assert response.status == 200
        assert await response.read() == payload
    seen = accounts.seen[-1]
    assert seen.header("Content-Length") == str(MIB)
    assert seen.body == payload


async def test_1_mib_chunked_post_round_trips_byte_identical(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    payload = pattern(MIB, seed=b"chunked")
    async with client.post(gateway + "/api/users/echo", data=_in_pieces(payload)) as response:
        assert response.status == 200
        assert await response.read() == payload
    seen = accounts.seen[-1]
    assert seen.header("Transfer-Encoding") == "chunked"
    assert not seen.has("Content-Length")
    assert seen.body == payload


async def test_4_mib_chunked_response_streams_intact(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/users/big") as response:
        assert response.status == 200
        assert response.headers["Transfer-Encoding"] == "chunked"
        received = bytearray()
        async for chunk in response.content.iter_any():
            received += chunk
    assert bytes(received) == pattern(BIG_RESPONSE_BYTES)


async def test_a_small_body_the_service_cut_short_is_a_502_not_a_complete_looking_200(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    # Small answers are buffered before the status goes out, so a broken one can still be
    # reported honestly. The read timeout only turns a regression into a failure, not a hang.
    guard = aiohttp.ClientTimeout(sock_read=10)
    async with client.get(gateway + "/api/users/truncated", timeout=guard) as response:
        assert response.status == 502
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert (await response.json())["type"].endswith("upstream-broken")


async def test_a_large_streamed_body_cut_short_is_not_passed_off_as_complete(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    # Too large to buffer: the status is out before the break, so the client connection is cut.
    guard = aiohttp.ClientTimeout(sock_read=10)
    url = gateway + "/api/users/truncated?declared=1000000"
    async with client.get(url, timeout=guard) as response:
        assert response.status == 200
        try:
            body = await response.read()
        except aiohttp.ClientPayloadError:
            return
    raise AssertionError(f"read {len(body)} of 1000000 bytes without an error")


async def test_compressed_responses_pass_through_still_compressed(gateway: str) -> None:
    async with (
        aiohttp.ClientSession(auto_decompress=False) as raw_client,
        raw_client.get(gateway + "/api/users/gzip") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert await response.read() == GZIPPED
