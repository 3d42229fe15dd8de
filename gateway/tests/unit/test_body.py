"""The request body stream counts what it passes on and stops at the limit."""

from unittest.mock import Mock

import pytest
from aiohttp import StreamReader

from gateway.body import BodyStalledError, BodyTooLargeError, RequestBody


def _reader(*chunks: bytes) -> StreamReader:
    protocol = Mock(_reading_paused=False)
    reader = StreamReader(protocol, limit=2**16)
    for chunk in chunks:
        reader.feed_data(chunk)
    reader.feed_eof()
    return reader


async def test_a_body_within_the_limit_passes_whole() -> None:
    body = RequestBody(_reader(b"abc", b"def"), limit=6, stall_timeout=5)
    assert b"".join([chunk async for chunk in body.chunks()]) == b"abcdef"
    assert body.received == 6
    assert not body.too_large


async def test_a_body_over_the_limit_stops_and_says_so() -> None:
    body = RequestBody(_reader(b"abc", b"defg"), limit=6, stall_timeout=5)
    with pytest.raises(BodyTooLargeError):
        _ = [chunk async for chunk in body.chunks()]
    assert body.too_large
    assert not body.client_failed


async def test_a_body_that_stops_arriving_is_given_up_and_says_so() -> None:
    protocol = Mock(_reading_paused=False)
    reader = StreamReader(protocol, limit=2**16)
    reader.feed_data(b"only the start")  # and then nothing, not even the end
    body = RequestBody(reader, limit=1000, stall_timeout=0.05)
    with pytest.raises(BodyStalledError):
        await body.read_whole()
    assert body.stalled
    assert body.received == len(b"only the start")
