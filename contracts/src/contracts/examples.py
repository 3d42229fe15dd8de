"""One valid message per event, with fixed ids and times: what consumer suites publish.

The examples tell one story: Ada registers, projects creates her starter project (correlated to
the registration's message), she changes her email, renames, archives, unarchives and finally
deletes the project; then she logs out everywhere. Copy one with
``model_copy(update={"message_id": uuid4()})`` for a fresh id.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import UUID

from contracts.accounts_events import UserAccountCreated, UserEmailChanged, UserTokensRevoked
from contracts.catalogue import ALL_EVENTS
from contracts.envelope import Envelope
from contracts.event import IntegrationEvent
from contracts.names import ACCOUNTS_EXCHANGE, ACCOUNTS_PRODUCER, PROJECTS_PRODUCER
from contracts.projects_events import (
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)

EventT = TypeVar("EventT", bound=IntegrationEvent)

_USER_ID = UUID("11111111-1111-4111-8111-111111111111")
_PROJECT_ID = UUID("22222222-2222-4222-8222-222222222222")
_START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _wrap(
    payload: IntegrationEvent, *, number: int, aggregate_version: int, correlation_id: str = ""
) -> Envelope[Any]:
    """The ``number``-th message of the story; ids and times follow from the number."""
    from_accounts = payload.exchange == ACCOUNTS_EXCHANGE
    return Envelope.wrap(
        payload,
        message_id=UUID(f"e0000000-0000-4000-8000-{number:012d}"),
        occurred_at=_START + timedelta(minutes=number),
        producer=ACCOUNTS_PRODUCER if from_accounts else PROJECTS_PRODUCER,
        correlation_id=correlation_id or f"request-{number}",
        aggregate_id=_USER_ID if from_accounts else _PROJECT_ID,
        aggregate_version=aggregate_version,
    )


_registered = _wrap(
    UserAccountCreated(user_id=_USER_ID, email="ada@example.com"), number=1, aggregate_version=1
)
_EXAMPLES: dict[type[IntegrationEvent], Envelope[Any]] = {
    UserAccountCreated: _registered,
    ProjectCreated: _wrap(
        ProjectCreated(
            project_id=_PROJECT_ID,
            owner_id=_USER_ID,
            name="My first project",
            maximum_number_of_incomplete_tasks=5,
        ),
        number=2,
        aggregate_version=1,
        correlation_id=str(_registered.message_id),
    ),
    UserEmailChanged: _wrap(
        UserEmailChanged(
            user_id=_USER_ID, old_email="ada@example.com", new_email="ada.lovelace@example.com"
        ),
        number=3,
        aggregate_version=2,
    ),
    ProjectRenamed: _wrap(
        ProjectRenamed(project_id=_PROJECT_ID, owner_id=_USER_ID, name="Analytical engine"),
        number=4,
        aggregate_version=2,
    ),
    ProjectArchived: _wrap(
        ProjectArchived(project_id=_PROJECT_ID, owner_id=_USER_ID), number=5, aggregate_version=3
    ),
    ProjectUnarchived: _wrap(
        ProjectUnarchived(project_id=_PROJECT_ID, owner_id=_USER_ID), number=6, aggregate_version=4
    ),
    # Archived again at version 5 (not shown): only an archived project can be deleted.
    ProjectDeleted: _wrap(
        ProjectDeleted(project_id=_PROJECT_ID, owner_id=_USER_ID), number=7, aggregate_version=6
    ),
    UserTokensRevoked: _wrap(
        UserTokensRevoked(
            user_id=_USER_ID, revoked_before=_START + timedelta(minutes=8, microseconds=250)
        ),
        number=8,
        aggregate_version=3,
    ),
}


def example(event: type[EventT]) -> Envelope[EventT]:
    """The contract's example message of ``event``; the same value on every call."""
    return cast(Envelope[EventT], _EXAMPLES[event])


def examples() -> tuple[Envelope[Any], ...]:
    """An example of every event, in the order of ``ALL_EVENTS``."""
    return tuple(_EXAMPLES[event] for event in ALL_EVENTS)
