"""The X-Request-ID rule: a sane client id is kept, anything else replaced by a uuid4."""

import uuid

import pytest

from gateway.request_id import resolve


@pytest.mark.parametrize("given", ["abc", "A.b_c:d-1", "x" * 100])
def test_acceptable_ids_are_kept(given: str) -> None:
    assert resolve(given) == given


@pytest.mark.parametrize("given", [None, "", "x" * 101, "a b", "a/b", "é", "abc\n"])
def test_other_ids_are_replaced_by_a_fresh_uuid4(given: str | None) -> None:
    replaced = resolve(given)
    assert uuid.UUID(replaced).version == 4
    assert resolve(given) != replaced
