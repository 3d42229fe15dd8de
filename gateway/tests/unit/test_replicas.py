"""Round robin over a service's replicas; one that refused rests, then gets its turn again."""

import pytest

from gateway.replicas import ReplicaSet

A, B, C = "http://a:1", "http://b:1", "http://c:1"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_take_turns_over_the_replicas() -> None:
    replicas = ReplicaSet((A, B, C), cooldown=2, clock=Clock())
    firsts = [replicas.order()[0] for _ in range(6)]
    assert firsts == [A, B, C, A, B, C]
    assert sorted(replicas.order()) == [A, B, C]  # every replica is a fallback


def test_a_replica_that_refused_is_tried_last_until_its_cooldown_ends() -> None:
    clock = Clock()
    replicas = ReplicaSet((A, B), cooldown=2, clock=clock)
    replicas.refused(A)
    assert [replicas.order() for _ in range(2)] == [[B, A], [B, A]]
    assert replicas.resting(A)
    clock.now += 2
    assert not replicas.resting(A)
    assert {replicas.order()[0] for _ in range(2)} == {A, B}


def test_when_all_refused_the_one_resting_shortest_comes_first() -> None:
    clock = Clock()
    replicas = ReplicaSet((A, B), cooldown=2, clock=clock)
    replicas.refused(B)
    clock.now += 1
    replicas.refused(A)
    assert replicas.order() == [B, A]


def test_an_answer_ends_the_rest_at_once() -> None:
    replicas = ReplicaSet((A, B), cooldown=60, clock=Clock())
    replicas.refused(A)
    replicas.answered(A)
    assert not replicas.resting(A)


def test_a_service_needs_a_replica() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ReplicaSet((), cooldown=1)
