"""Local ports for tests: a free one to start something on, a refused one to fail against."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A port nothing uses right now (another process may take it before you do)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def refused_port() -> Iterator[int]:
    """A local port where every connection is refused: it stays bound but never listens, so
    nothing else can take it while the block runs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
