"""A service's unit of work: its repository on one session, and on commit the outbox rows of
the events the repository's aggregates raised, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from chassis.correlation import current_correlation_id
from chassis.persistence.constraints import violated_constraint
from chassis.persistence.outbox_rows import outbox_row
from chassis.persistence.outbox_session import OutboxSession
from chassis.persistence.seen_aggregates import A, SeenAggregates
from contracts import IntegrationEvent


class DomainEventLike(Protocol):
    @property
    def occurred_at(self) -> datetime: ...


E = TypeVar("E", bound=DomainEventLike)
R = TypeVar("R")


@dataclass(frozen=True)
class OutboxEvents(Generic[E]):
    """How a service's domain events go out: which contract each becomes, published as
    ``producer``, and the aggregate (id, version) each belongs to."""

    producer: str
    contract: Callable[[E], IntegrationEvent]
    aggregate: Callable[[E], tuple[UUID, int]]

    def row(self, event: E, *, correlation_id: str) -> dict[str, Any]:
        aggregate_id, aggregate_version = self.aggregate(event)
        return outbox_row(
            self.contract(event),
            producer=self.producer,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            occurred_at=event.occurred_at,
            correlation_id=correlation_id,
        )


Conflict = Callable[[], Exception]
"""The service's error for a violated constraint. It is given nothing: the failed flush rolled
the transaction back, which expires every aggregate the work loaded (reading one would query a
transaction that is gone), so the error cannot be worded from their state."""


class OutboxUnitOfWork(Generic[A, R]):
    """``async with uow as repository``: a fresh session and the service's repository on it.
    ``commit()`` stores the changes and the outbox rows of the events the aggregates raised in
    one transaction; leaving without it undoes everything and releases the rows' locks.

    A violated constraint named in ``conflicts`` becomes that error, a version check that
    matched no row (``version_id_col``) becomes ``stale()``; any other error is raised as it is.
    Each ``async with`` is a transaction of its own, so one instance can be entered again."""

    def __init__(
        self,
        transaction: OutboxSession,
        *,
        repository: Callable[[AsyncSession, SeenAggregates[A]], R],
        events: OutboxEvents[Any],
        stale: Callable[[], Exception],
        conflicts: Mapping[str, Conflict] | None = None,
    ) -> None:
        self._transaction = transaction
        self._repository = repository
        self._events = events
        self._stale = stale
        self._conflicts = conflicts or {}
        self._seen: SeenAggregates[A] = SeenAggregates()

    async def __aenter__(self) -> R:
        self._seen = SeenAggregates()
        return self._repository(self._transaction.open(), self._seen)

    async def __aexit__(self, *exc_info: object) -> None:
        await self._transaction.close()

    @property
    def session(self) -> AsyncSession:
        """The open session (for tests that act beside the repository in its transaction)."""
        return self._transaction.session

    async def commit(self) -> None:
        correlation_id = current_correlation_id()
        rows = [
            self._events.row(event, correlation_id=correlation_id)
            for event in self._seen.take_events()
        ]
        try:
            await self._transaction.commit(rows)
        except StaleDataError as error:
            # The version check in UPDATE ... WHERE version = <loaded> matched no row.
            raise self._stale() from error
        except IntegrityError as error:
            conflict = self._conflicts.get(violated_constraint(error) or "")
            if conflict is None:
                raise  # a bug, and must not pass for a conflict
            raise conflict() from error
