"""What the chassis needs of a service's composition root: its platform, and a way to close."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # naming the protocol (a worker's entry point does) imports no SQLAlchemy
    from chassis.platform import Platform


class ServiceContainer(Protocol):
    """A service's ``bootstrap()`` result: everything a request or a consumer needs."""

    @property
    def platform(self) -> Platform: ...

    async def close(self) -> None: ...
