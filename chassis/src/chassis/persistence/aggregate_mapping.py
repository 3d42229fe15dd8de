"""Imperative mapping of an aggregate root: the domain class stays plain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import registry


def map_aggregate(
    mappers: registry, aggregate: type[Any], table: Table, *, properties: Mapping[str, Any]
) -> None:
    """Map ``aggregate`` on ``table`` with ``properties``. The domain bumps its ``version``
    column; SQLAlchemy checks the old value in UPDATE ... WHERE, so a concurrent change is
    caught (StaleDataError, a unit of work's ``stale``) instead of overwritten. Loading
    bypasses ``__init__``: a loaded aggregate gets an empty ``events`` list here."""
    mappers.map_imperatively(
        aggregate,
        table,
        properties=dict(properties),
        version_id_col=table.c.version,
        version_id_generator=False,
    )
    event.listen(aggregate, "load", _no_events_yet)


def _no_events_yet(aggregate: Any, _context: Any) -> None:
    aggregate.events = []
