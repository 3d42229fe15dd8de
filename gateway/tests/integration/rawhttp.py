"""Raw TCP clients for what an HTTP library will not do: stop mid-header, stall a body,
hold a connection open, send a malformed request."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from yarl import URL

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# Long enough for the slowest machine, short enough that a hang fails the test.
GUARD_SECONDS = 15.0


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@asynccontextmanager
async def connection(base_url: str) -> AsyncIterator[Stream]:
    url = URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        yield reader, writer
    finally:
        writer.close()


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    """One HTTP/1.1 answer with a Content-Length."""
    async with asyncio.timeout(GUARD_SECONDS):
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Answer(int(status_line.split()[1]), headers, body)


async def closed_by_peer(reader: asyncio.StreamReader) -> bool:
    """True once the other side closed: EOF or a reset, after any answer it sent."""
    async with asyncio.timeout(GUARD_SECONDS):
        try:
            while await reader.read(65536):
                pass
        except ConnectionResetError:
            pass
    return True
