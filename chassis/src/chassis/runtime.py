"""How a service's processes start: its HTTP app and its worker both build the service's
container from its settings and attach its consumers, declared once as ``Consumer`` values."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chassis.container import ServiceContainer
from chassis.settings import ServiceSettings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from chassis.messaging.reliable_consumer import EffectHandler
    from contracts import ConsumerQueueNames, Envelope

S = TypeVar("S", bound=ServiceSettings)
C = TypeVar("C", bound=ServiceContainer)


@dataclass(frozen=True)
class Consumer(Generic[C]):
    """One consumer of a service: the queue it reads and how it applies one message, given the
    service's container, in the consumer's transaction on ``connection`` (which holds the
    message's inbox row, so the effect and the inbox row commit together)."""

    name: str
    queue: ConsumerQueueNames
    apply: Callable[[C, Envelope[Any], AsyncConnection], Awaitable[None]]
    description: str

    def handler(self, container: C) -> EffectHandler:
        async def handle(envelope: Envelope[Any], connection: AsyncConnection) -> None:
            await self.apply(container, envelope, connection)

        return handle


@dataclass(frozen=True)
class ServiceRuntime(Generic[S, C]):
    """A service as its processes run it: its settings (read from the environment), its
    composition root and its consumers."""

    settings: type[S]
    bootstrap: Callable[[S], C]
    consumers: Sequence[Consumer[C]] = ()

    @property
    def name(self) -> str:
        """The service's name: its settings' ``service_name`` default."""
        return str(self.settings.model_fields["service_name"].default)

    def container(self, settings: S | None = None) -> C:
        """The container built from ``settings`` (by default, the environment's), with the
        consumers subscribed."""
        container = self.bootstrap(settings if settings is not None else self.settings())
        self.subscribe(container)
        return container

    def subscribe(self, container: C) -> None:
        """Attach every consumer to ``container``'s broker link, unless RUN_CONSUMERS is off."""
        platform = container.platform
        if not platform.settings.run_consumers:
            return
        for consumer in self.consumers:
            platform.messaging.consume(
                name=consumer.name,
                queue=consumer.queue,
                handle=consumer.handler(container),
                description=consumer.description,
            )

    @staticmethod
    def named(path: str) -> ServiceRuntime[Any, Any]:
        """The runtime at ``path`` (``package.module:NAME``), imported now: a worker names its
        runtime this way, so that declaring its topology imports none of the service."""
        module, _, name = path.partition(":")
        runtime = getattr(importlib.import_module(module), name)
        if not isinstance(runtime, ServiceRuntime):
            raise TypeError(f"{path} is no ServiceRuntime")
        return runtime
