"""The client's request body as a counted stream, so no body is ever held whole in memory."""

from collections.abc import AsyncIterator

from aiohttp import StreamReader


class BodyTooLargeError(Exception):
    """The client sent more than the configured maximum."""


class RequestBody:
    """Yields the client's body chunk by chunk and stops once it passes ``limit`` bytes
    (the only check possible for a chunked body); remembers why it stopped."""

    def __init__(self, content: StreamReader, limit: int) -> None:
        self._content = content
        self._limit = limit
        self.received = 0
        self.too_large = False
        self.client_failed = False

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._content.iter_any():
                self.received += len(chunk)
                if self.received > self._limit:
                    self.too_large = True
                    raise BodyTooLargeError
                yield chunk
        except BodyTooLargeError:
            raise
        except Exception:
            # Reading failed on the client's side (it hung up mid-body): not the service's fault.
            self.client_failed = True
            raise
