"""The aggregates a repository handed out in one unit of work, so the events they raised can
be stored with their changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, Protocol, TypeVar, overload


class RaisesEvents(Protocol):
    """An aggregate that collects the domain events it raises until they are taken."""

    events: list[Any]


A = TypeVar("A", bound=RaisesEvents)


class SeenAggregates(Generic[A]):
    """Each aggregate once (by identity), in the order it was first handed out."""

    def __init__(self) -> None:
        self._seen: dict[int, A] = {}

    @overload
    def see(self, aggregate: A) -> A: ...
    @overload
    def see(self, aggregate: A | None) -> A | None: ...
    def see(self, aggregate: A | None) -> A | None:
        """Remember ``aggregate`` (None, for nothing found, is passed through)."""
        if aggregate is not None:
            self._seen.setdefault(id(aggregate), aggregate)
        return aggregate

    def __contains__(self, aggregate: object) -> bool:
        return self._seen.get(id(aggregate)) is aggregate

    def __iter__(self) -> Iterator[A]:
        return iter(list(self._seen.values()))

    def take_events(self) -> list[Any]:
        """The events the aggregates raised (each one's in order); taken once."""
        events = [event for aggregate in self._seen.values() for event in aggregate.events]
        for aggregate in self._seen.values():
            aggregate.events.clear()
        return events
