"""The client's request body as a counted stream, so no body is ever held whole in memory
(except small declared ones, read whole on purpose), and none may stall for long."""

import asyncio
from collections.abc import AsyncIterator

from aiohttp import StreamReader


class BodyTooLargeError(Exception):
    """The client sent more than the configured maximum."""


class BodyStalledError(Exception):
    """The client stopped sending its body for longer than the body timeout."""


class RequestBody:
    """Yields the client's body chunk by chunk and stops once it passes ``limit`` bytes
    (the only check possible for a chunked body) or once no byte came for ``stall_timeout``
    seconds; remembers why it stopped."""

    def __init__(self, content: StreamReader, limit: int, *, stall_timeout: float) -> None:
        self._content = content
        self._limit = limit
        self._stall_timeout = stall_timeout
        self.received = 0
        self.too_large = False
        self.stalled = False
        self.client_failed = False

    async def read_whole(self) -> bytes:
        """The whole body (for small declared ones), read before any service is contacted."""
        return b"".join([chunk async for chunk in self.chunks()])

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                try:
                    async with asyncio.timeout(self._stall_timeout):
                        chunk = await self._content.readany()
                except TimeoutError:
                    self.stalled = True
                    raise BodyStalledError from None
                if not chunk:
                    return
                self.received += len(chunk)
                if self.received > self._limit:
                    self.too_large = True
                    raise BodyTooLargeError
                yield chunk
        except (BodyTooLargeError, BodyStalledError):
            raise
        except Exception:
            # Reading failed on the client's side (it hung up mid-body): not the service's fault.
            self.client_failed = True
            raise
