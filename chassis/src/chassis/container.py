"""What the chassis needs of a service's composition root: its platform, and a way to close."""

from typing import Protocol

from chassis.platform import Platform


class ServiceContainer(Protocol):
    """A service's ``bootstrap()`` result: everything a request or a consumer needs."""

    @property
    def platform(self) -> Platform: ...

    async def close(self) -> None: ...
