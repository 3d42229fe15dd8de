"""SeenAggregates: each aggregate once, in order; its events taken once."""

from chassis import SeenAggregates


class Thing:
    def __init__(self, *events: str) -> None:
        self.events: list[object] = list(events)

    def __eq__(self, other: object) -> bool:  # equal to every Thing: identity must decide
        return isinstance(other, Thing)

    __hash__ = None  # type: ignore[assignment]


def test_each_aggregate_is_seen_once_by_identity_in_order() -> None:
    seen: SeenAggregates[Thing] = SeenAggregates()
    first, second = Thing("a"), Thing("b")

    assert seen.see(first) is first
    assert seen.see(None) is None
    seen.see(second)
    seen.see(first)

    assert list(seen) == [first, second]
    assert first in seen
    assert Thing() not in seen


def test_events_are_taken_once_in_the_order_of_the_aggregates() -> None:
    seen: SeenAggregates[Thing] = SeenAggregates()
    first, second = seen.see(Thing("a1", "a2")), seen.see(Thing("b1"))

    assert seen.take_events() == ["a1", "a2", "b1"]
    assert seen.take_events() == []
    assert (first.events, second.events) == ([], [])
